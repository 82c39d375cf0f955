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
const pids = new Set<number>();
afterAll(() => {
  launcher?.kill('SIGKILL');
  for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

/**
 * `npm start | head`: the reader of the launcher's output goes away. The launcher died of the EPIPE at the
 * next line a child logged and left its coordinator serving, ports taken, with no one to stop it.
 */
it('npm start whose output reader goes away stops its cluster and exits, leaving no process behind', async () => {
  const tokenDir = mkdtempSync(join(tmpdir(), 'im-launcher-'));
  launcher = spawn(process.execPath, [
    ...NODE_SOURCE_ARGS, join(WORKSPACE_ROOT, 'tools/launcher/src/main.ts'),
    '--repository', await demoRepository(), '--http-port', '0', '--grpc-port', '0', '--processes', '1',
    '--worker-port', '0', '--token-file', join(tokenDir, 'token'), '--json',
  ], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(launcher, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let url: string | undefined;
  for await (const line of createInterface({ input: launcher.stdout! })) {
    // `[coordinator] {json}` lines carry the pid of the process that wrote them.
    const json = /^\[coordinator\] (\{.*\})$/.exec(line)?.[1];
    if (json) pids.add((JSON.parse(json) as { pid: number }).pid);
    url = /^infermesh is ready: coordinator (http:\/\/\S+)/.exec(line)?.[1];
    if (url) break;
  }
  expect(url).toBeDefined();
  expect(pids.size).toBeGreaterThan(0);

  launcher.stdout!.destroy();
  // A request: its access line is the next line the launcher passes on.
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, 1) }] });
  const res = await fetch(`${url}/v2/models/mlp/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBe(200);

  const [code] = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the launcher did not exit')), 20_000))]);
  expect(code).toBe(0);
  expect([...pids].filter(processAlive)).toEqual([]);
  await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
}, 90_000);
