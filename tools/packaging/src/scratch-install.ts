import { createRequire } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LibraryPackage } from './workspace.js';
import type { PackedLibrary } from './pack.js';
import { cleanNpmEnv, runCommand, type CommandResult } from './run-command.js';

/**
 * The peer dependencies every consumer must add (zod), at the version the workspace itself runs, so the
 * install is served from the npm cache; falls back to the declared range when the workspace lacks it.
 */
export function peerVersions(workspaceRoot: string, libraries: readonly LibraryPackage[]): Record<string, string> {
  const require = createRequire(join(workspaceRoot, 'package.json'));
  const peers: Record<string, string> = {};
  for (const library of libraries) {
    for (const [name, range] of Object.entries(library.peerDependencies)) {
      if (name in peers || name.startsWith('@infermesh/')) continue;
      try {
        peers[name] = (require(`${name}/package.json`) as { version: string }).version;
      } catch {
        peers[name] = range;
      }
    }
  }
  return peers;
}

/**
 * The scratch consumer's package.json: every tarball as a `file:` dependency plus the peers. `overrides`
 * pins each `@infermesh/*` package to its tarball wherever it appears in the tree, so a library's dependency
 * on a sibling (`"@infermesh/contracts": "0.1.0"`) can never be fetched from the registry instead.
 */
export function scratchManifest(packed: readonly PackedLibrary[], peers: Record<string, string>): object {
  const dependencies: Record<string, string> = { ...peers };
  const overrides: Record<string, string> = {};
  for (const library of packed) {
    dependencies[library.name] = `file:${library.tarball}`;
    overrides[library.name] = `$${library.name}`;
  }
  return { name: 'infermesh-packaging-scratch', version: '0.0.0', private: true, dependencies, overrides };
}

/**
 * One `npm install` of all tarballs together into a project outside the workspace, with install scripts
 * on, as a user installs. The scratch project gets the `.npmrc` the runtime's README tells users to write:
 * `onnxruntime-node-install=skip` (its postinstall would download CUDA binaries from outside the npm
 * registry; the CPU build ships inside the package) and `nodedir=/usr` (better-sqlite3 compiles from source
 * against the system's Node headers, as no prebuilt binary can be fetched here).
 */
export async function installScratch(
  scratchDir: string,
  packed: readonly PackedLibrary[],
  peers: Record<string, string>,
): Promise<CommandResult> {
  await mkdir(scratchDir, { recursive: true });
  await writeFile(join(scratchDir, '.npmrc'), 'onnxruntime-node-install=skip\nnodedir=/usr\n');
  await writeFile(join(scratchDir, 'package.json'), `${JSON.stringify(scratchManifest(packed, peers), null, 2)}\n`);
  return runCommand(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--package-lock=false', '--loglevel=error'],
    { cwd: scratchDir, env: cleanNpmEnv() },
  );
}
