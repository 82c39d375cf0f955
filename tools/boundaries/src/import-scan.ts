import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', 'tmp']);

export interface FoundImport {
  /** Workspace-relative path, with `/`. */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
}

/**
 * Every module specifier in a file: static imports and re-exports (type-only included), `import()`,
 * `require()` and `import x = require()`. The TypeScript scanner skips comments and strings, which a regex
 * would not.
 */
export function importsOf(text: string): { specifier: string; line: number }[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const source = ts.createSourceFile('scan.ts', text, ts.ScriptTarget.Latest, false);
  return importedFiles.map((ref) => ({
    specifier: ref.fileName,
    line: source.getLineAndCharacterOfPosition(ref.pos).line + 1,
  }));
}

/** All source files under `dir`, skipping build output, dependencies, hidden folders and nested projects. */
async function sourceFiles(dir: string, skip: ReadonlySet<string>): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name) || skip.has(path)) continue;
      files.push(...(await sourceFiles(path, skip)));
    } else if (entry.isFile() && SOURCE_FILE.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

/**
 * The imports of one project's files. `nestedRoots` are absolute roots of other projects inside this one,
 * left to their own scan.
 */
export async function scanProject(
  workspaceRoot: string,
  projectRoot: string,
  nestedRoots: ReadonlySet<string> = new Set(),
): Promise<FoundImport[]> {
  const found: FoundImport[] = [];
  for (const path of (await sourceFiles(join(workspaceRoot, projectRoot), nestedRoots)).sort()) {
    const file = relative(workspaceRoot, path).split(sep).join('/');
    for (const { specifier, line } of importsOf(await readFile(path, 'utf8'))) found.push({ file, line, specifier });
  }
  return found;
}
