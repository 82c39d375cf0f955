import { spawnApp } from './child-process.js';
import { appEntry, type AppEntries } from './paths.js';

/** Writes the demo models into the repository (the builder skips the ones already there). */
export async function buildDemoModels(
  repository: string,
  onLine?: (name: string, raw: string) => void,
  /** More builder flags, e.g. `['--mlp-dims', '64,1024,1024,16']`. */
  args: readonly string[] = [],
  /** Run the builder's `dist/main.js` or its source. Default: as the launcher runs. */
  entries?: AppEntries,
): Promise<void> {
  const builder = spawnApp({
    name: 'models',
    entry: appEntry('buildModels', entries),
    args: ['--out', repository, ...args],
    ...(onLine ? { onLine } : {}),
  });
  const code = await builder.exited;
  if (code !== 0) throw new Error(`building the demo models failed (exit ${code})\n${builder.output.join('\n')}`);
}
