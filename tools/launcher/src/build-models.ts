import { spawnApp } from './child-process.js';
import { APP_ENTRY } from './paths.js';

/** Writes the demo models into the repository (the builder skips the ones already there). */
export async function buildDemoModels(
  repository: string,
  onLine?: (name: string, raw: string) => void,
  /** More builder flags, e.g. `['--mlp-dims', '64,1024,1024,16']`. */
  args: readonly string[] = [],
): Promise<void> {
  const builder = spawnApp({
    name: 'models',
    entry: APP_ENTRY.buildModels,
    args: ['--out', repository, ...args],
    ...(onLine ? { onLine } : {}),
  });
  const code = await builder.exited;
  if (code !== 0) throw new Error(`building the demo models failed (exit ${code})\n${builder.output.join('\n')}`);
}
