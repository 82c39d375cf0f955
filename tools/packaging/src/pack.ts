import { join, relative } from 'node:path';
import type { LibraryPackage } from './workspace.js';
import { cleanNpmEnv, runCommand } from './run-command.js';

interface NpmPackEntry {
  readonly name: string;
  readonly filename: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

export interface PackedLibrary {
  readonly name: string;
  readonly tarball: string;
  readonly files: readonly string[];
}

/**
 * Packs every library with one `npm pack -w a -w b …`: one npm start-up instead of one per library, and npm
 * applies `files`, `.npmignore` and the always-included files exactly as `npm publish` would.
 * Lifecycle scripts are skipped: Nx has already built `dist`.
 */
export async function packLibraries(
  workspaceRoot: string,
  libraries: readonly LibraryPackage[],
  destination: string,
): Promise<Map<string, PackedLibrary>> {
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', destination];
  for (const library of libraries) args.push('--workspace', relative(workspaceRoot, library.root));
  const result = await runCommand('npm', args, { cwd: workspaceRoot, env: cleanNpmEnv() });
  if (result.code !== 0) throw new Error(`npm pack failed (${result.code}):\n${result.stderr}`);
  const entries = JSON.parse(result.stdout) as NpmPackEntry[];
  const packed = new Map<string, PackedLibrary>();
  for (const entry of entries) {
    packed.set(entry.name, {
      name: entry.name,
      tarball: join(destination, entry.filename),
      files: entry.files.map((file) => file.path),
    });
  }
  return packed;
}
