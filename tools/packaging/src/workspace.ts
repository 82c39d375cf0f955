import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface LibraryPackage {
  /** Folder name under `libs/`. */
  readonly dir: string;
  readonly root: string;
  readonly name: string;
  readonly version: string;
  readonly private: boolean;
  readonly peerDependencies: Readonly<Record<string, string>>;
  /** True when `src/index.ts` exports nothing yet (`export {};`): a library whose code is still to come. */
  readonly placeholder: boolean;
}

/** The workspace root: the nearest folder above `from` that holds `nx.json`. */
export function findWorkspaceRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/**
 * True when an entry file has no export besides `export {}`: the state of a library scaffolded but not yet
 * written. Comments and whitespace are ignored; anything else (a named export, `export *`, `export type`)
 * makes it a real library.
 */
export function isPlaceholderSource(source: string): boolean {
  const code = source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .trim();
  return code === '' || /^export\s*\{\s*\}\s*;?$/.test(code);
}

/** Every package under `libs/` (or `apps/`) (a folder with a package.json), sorted by folder name. */
export async function discoverLibraries(workspaceRoot: string, folder: 'libs' | 'apps' = 'libs'): Promise<LibraryPackage[]> {
  const libsDir = join(workspaceRoot, folder);
  const entries = await readdir(libsDir, { withFileTypes: true });
  const libraries: LibraryPackage[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const root = join(libsDir, entry.name);
    const manifestPath = join(root, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
      name?: string;
      version?: string;
      private?: boolean;
      peerDependencies?: Record<string, string>;
    };
    if (!manifest.name || !manifest.version) throw new Error(`${manifestPath}: name and version are required`);
    const entryPath = join(root, 'src', 'index.ts');
    const placeholder = existsSync(entryPath) ? isPlaceholderSource(await readFile(entryPath, 'utf8')) : false;
    libraries.push({
      dir: entry.name,
      root,
      name: manifest.name,
      version: manifest.version,
      private: manifest.private === true,
      peerDependencies: manifest.peerDependencies ?? {},
      placeholder,
    });
  }
  return libraries;
}
