import { afterAll, expect, it } from 'vitest';
import { inferMlp, startLauncher, type LauncherRun } from './launcher-process.js';

let run: LauncherRun | undefined;
afterAll(() => run?.kill());

/**
 * `npm start | head`: the reader of the launcher's output goes away. The launcher died of the EPIPE at the
 * next line a child logged and left its coordinator serving, ports taken, with no one to stop it.
 */
it('npm start whose output reader goes away stops its cluster and exits, leaving no process behind', async () => {
  run = await startLauncher(['--processes', '1']);
  expect(run.pids.size).toBeGreaterThan(0);

  run.launcher.stdout!.destroy();
  // A request: its access line is the next line the launcher passes on.
  expect(await inferMlp(run.url)).toBe(200);

  const [code] = await Promise.race([run.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the launcher did not exit')), 20_000))]);
  expect(code).toBe(0);
  expect(run.left()).toEqual([]);
  await expect(fetch(`${run.url}/v2/health/live`)).rejects.toThrow();
}, 90_000);
