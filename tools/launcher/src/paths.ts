import { fileURLToPath } from 'node:url';

/** The workspace root, found from this file, so the launcher works from any current directory. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** How the apps and tools run from source: Node with tsx and the source export condition. */
export const NODE_SOURCE_ARGS = ['--conditions=@infermesh/source', '--import', 'tsx'];

export const APP_ENTRY = {
  coordinator: fileURLToPath(new URL('../../../apps/coordinator/src/main.ts', import.meta.url)),
  worker: fileURLToPath(new URL('../../../apps/worker/src/main.ts', import.meta.url)),
  buildModels: fileURLToPath(new URL('../../../tools/models/src/main.ts', import.meta.url)),
} as const;
