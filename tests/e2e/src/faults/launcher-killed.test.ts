import { afterAll, expect, it } from 'vitest';
import { inferMlp, startLauncher, type LauncherRun } from './launcher-process.js';

let run: LauncherRun | undefined;
afterAll(() => run?.kill());

/**
 * `kill -9` of `npm start`'s launcher (an OOM kill, a CI job cancelled, a terminal closed hard): no signal
 * reaches its children. Its coordinator went on serving and its workers went on dialling, with nobody left
 * to stop them. Each app now learns of it on the IPC channel the launcher opened, and stops as on SIGTERM.
 * The layout with the most kinds of process: a coordinator group (a primary and two serving processes,
 * each on a free worker port) and two worker processes.
 */
it('a SIGKILLed launcher leaves no process behind: coordinator group and workers stop on their own', async () => {
  run = await startLauncher(['--layout', 'processes', '--workers', '2', '--processes', '2']);
  // The group's primary, its two processes, and the two workers.
  expect(run.pids.size, JSON.stringify([...run.pids])).toBe(5);
  expect(await inferMlp(run.url)).toBe(200);

  run.launcher.kill('SIGKILL');
  await run.exited;
  // Each stops as on SIGTERM: the workers leave rotation and finish their batches, the coordinator drains.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && run.left().length > 0) await new Promise((r) => setTimeout(r, 100));
  expect(run.left()).toEqual([]);
  await expect(fetch(`${run.url}/v2/health/live`)).rejects.toThrow();
}, 120_000);
