import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The workspace root, found from this file, so the launcher works from any current directory. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How the apps and tools run from source: Node with tsx and the source export condition. */
export const NODE_SOURCE_ARGS = ['--conditions=@infermesh/source', '--import', 'tsx'];

/** Which entry of an app to start: its built `dist/main.js` or its `src/main.ts` through tsx. */
export type AppEntries = 'built' | 'source';

/**
 * The launcher built (dist/main.js, what `npm start` runs) starts the built apps; the launcher run from
 * source (the e2e tests import it as TypeScript) starts the apps from source. A caller that measures
 * (the bench) asks for `built` explicitly.
 */
export const LAUNCHER_IS_BUILT = import.meta.url.endsWith('.js');
export const DEFAULT_ENTRIES: AppEntries = LAUNCHER_IS_BUILT ? 'built' : 'source';

const APP_FOLDERS = {
  coordinator: 'apps/coordinator',
  worker: 'apps/worker',
  // The demo-model builder: `@infermesh/models`' bin.
  buildModels: 'libs/models',
} as const;
export type AppName = keyof typeof APP_FOLDERS;

const entryPath = (app: AppName, entries: AppEntries): string =>
  fileURLToPath(new URL(`../../../${APP_FOLDERS[app]}/${entries === 'built' ? 'dist/main.js' : 'src/main.ts'}`, import.meta.url));

/** Where each app starts from by default (see `DEFAULT_ENTRIES`). */
export const APP_ENTRY = {
  coordinator: entryPath('coordinator', DEFAULT_ENTRIES),
  worker: entryPath('worker', DEFAULT_ENTRIES),
  buildModels: entryPath('buildModels', DEFAULT_ENTRIES),
} as const;

/**
 * The entry of `app`; for `built`, fails with what to run when the build is missing rather than letting
 * Node report a missing module from inside a child process.
 */
export function appEntry(app: AppName, entries: AppEntries = DEFAULT_ENTRIES): string {
  const path = entryPath(app, entries);
  if (entries === 'built' && !existsSync(path)) {
    throw new Error(`${path} is missing: build the apps first (npx nx run-many -t build -p coordinator worker models)`);
  }
  return path;
}

/** Node arguments for an entry: TypeScript entries need tsx and the source condition, built ones nothing. */
export function nodeArgsFor(entry: string): string[] {
  return entry.endsWith('.ts') ? NODE_SOURCE_ARGS : [];
}
