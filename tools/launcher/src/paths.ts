import { fileURLToPath } from 'node:url';

/** The workspace root, found from this file, so the launcher works from any current directory. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How the apps and tools run from source: Node with tsx and the source export condition. */
export const NODE_SOURCE_ARGS = ['--conditions=@infermesh/source', '--import', 'tsx'];

/**
 * The launcher built (dist/main.js, what `npm start` runs) starts the built apps; the launcher run from
 * source (the e2e tests and the bench import it as TypeScript) starts the apps from source.
 */
export const LAUNCHER_IS_BUILT = import.meta.url.endsWith('.js');

const entry = (folder: string): string =>
  fileURLToPath(new URL(`../../../${folder}/${LAUNCHER_IS_BUILT ? 'dist/main.js' : 'src/main.ts'}`, import.meta.url));

export const APP_ENTRY = {
  coordinator: entry('apps/coordinator'),
  worker: entry('apps/worker'),
  // The demo-model builder: `@infermesh/models`' bin.
  buildModels: entry('libs/models'),
} as const;

/** Node arguments for an entry: TypeScript entries need tsx and the source condition, built ones nothing. */
export function nodeArgsFor(entry: string): string[] {
  return entry.endsWith('.ts') ? NODE_SOURCE_ARGS : [];
}
