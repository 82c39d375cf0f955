import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NODE_SOURCE_ARGS, WORKSPACE_ROOT } from '@infermesh/launcher';
import { afterAll, expect, it } from 'vitest';
import { demoRepository, processAlive } from '../fixtures.js';
import { mlpInput } from '../references.js';

let launcher: ChildProcess | undefined;
const pids = new Map<number, string>();
afterAll(() => {
  launcher?.kill('SIGKILL');
  for (const pid of pids.keys()) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

/**
 * `kill -9` of `npm start`'s launcher (an OOM kill, a CI job cancelled, a terminal closed hard): no signal
 * reaches its children. Its coordinator went on serving and its workers went on dialling, with nobody left
 * to stop them. Each app now learns of it on the IPC channel the launcher opened, and stops as on SIGTERM.
 * The layout with the most kinds of process: a coordinator group (a primary and two serving processes,
 * each on a free worker port) and two worker processes.
 */
it('a SIGKILLed launcher leaves no process behind: coordinator group and workers stop on their own', async () => {
  const tokenDir = mkdtempSync(join(tmpdir(), 'im-launcher-'));
  launcher = spawn(process.execPath, [
    ...NODE_SOURCE_ARGS, join(WORKSPACE_ROOT, 'tools/launcher/src/main.ts'),
    '--repository', await demoRepository(), '--layout', 'processes', '--workers', '2', '--processes', '2',
    '--http-port', '0', '--grpc-port', '0', '--worker-port', '0', '--token-file', join(tokenDir, 'token'), '--json',
  ], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const killed = once(launcher, 'exit');
  let url: string | undefined;
  for await (const line of createInterface({ input: launcher.stdout! })) {
    // `[name] {json}` lines carry the pid of the process that wrote them.
    const [, name, json] = /^\[([\w-]+)\] (\{.*\})$/.exec(line) ?? [];
    if (name && json) pids.set((JSON.parse(json) as { pid: number }).pid, name);
    url = /^infermesh is ready: coordinator (http:\/\/\S+)/.exec(line)?.[1];
    if (url) break;
  }
  expect(url).toBeDefined();
  // The group's primary, its two processes, and the two workers.
  expect(pids.size, JSON.stringify([...pids])).toBe(5);
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, 1) }] });
  const res = await fetch(`${url}/v2/models/mlp/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBe(200);

  launcher.kill('SIGKILL');
  await killed;
  // Each stops as on SIGTERM: the workers leave rotation and finish their batches, the coordinator drains.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && [...pids.keys()].some(processAlive)) await new Promise((r) => setTimeout(r, 100));
  expect([...pids].filter(([pid]) => processAlive(pid)).map(([pid, name]) => `${name} ${pid}`)).toEqual([]);
  await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
}, 120_000);
