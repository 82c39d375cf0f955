import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { APP_ENTRY, nodeArgsFor, WORKSPACE_ROOT } from '@infermesh/launcher';
import { afterAll, expect, it } from 'vitest';
import { demoRepository, processAlive } from '../fixtures.js';
import { mlpLoad } from './mlp-load.js';

/**
 * A parent that reads the coordinator's output and, on SIGTERM, stops it and exits at once: a supervisor,
 * a shell pipeline, a launcher. It prints the coordinator's pid, then its `coordinator listening` line.
 */
const PARENT = `
  import { spawn } from 'node:child_process';
  import { createInterface } from 'node:readline';
  const [command, ...args] = JSON.parse(process.argv[1]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  console.log(JSON.stringify({ pid: child.pid }));
  for (const s of [child.stdout, child.stderr]) {
    createInterface({ input: s }).on('line', (line) => line.includes('coordinator listening') && console.log(line));
  }
  process.on('SIGTERM', () => { child.kill(); process.exit(0); });`;

const parents: ChildProcess[] = [];
const coordinatorPids: number[] = [];
afterAll(() => {
  for (const parent of parents) parent.kill('SIGKILL');
  for (const pid of coordinatorPids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

const DRAIN_TIMEOUT_MS = 3_000;

/** Starts a coordinator under a reading parent, serves answers, SIGTERMs the parent: how long the coordinator took to exit, or `hung`. */
async function stopUnderGoneReader(repository: string): Promise<number | 'hung'> {
  const coordinator = [
    process.execPath, ...nodeArgsFor(APP_ENTRY.coordinator), APP_ENTRY.coordinator,
    '--listen-port', '0', '--grpc-port', 'off', '--worker-port', 'off', '--cache', 'off', '--drain-timeout-ms', String(DRAIN_TIMEOUT_MS),
    '--keep-alive-timeout-ms', '200', '--embedded-workers', '0', '--embedded-repository', repository, '--embedded-inline-model', 'mlp',
  ];
  const parent = spawn(process.execPath, ['--input-type=module', '-e', PARENT, JSON.stringify(coordinator)], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  parents.push(parent);
  const lines = createInterface({ input: parent.stdout! })[Symbol.asyncIterator]();
  const { pid } = JSON.parse((await lines.next()).value as string) as { pid: number };
  coordinatorPids.push(pid);
  const { port } = JSON.parse((await lines.next()).value as string) as { port: number };

  // Answers, each with its access line.
  const load = await mlpLoad({ url: `http://127.0.0.1:${port}` }, { clients: 16, rows: 1, maxPerClient: 100 }).finished();
  expect(load.ok).toBe(load.sent);
  // The clients' kept-alive connections closed (past the keep-alive timeout): the stop has no connection
  // to wait for, and the exit comes while the last lines are still being written.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const parentExited = once(parent, 'exit');
  parent.kill('SIGTERM');
  const signalledAt = performance.now();
  await parentExited;
  while (processAlive(pid)) {
    if (performance.now() - signalledAt > DRAIN_TIMEOUT_MS + 10_000) return 'hung';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return performance.now() - signalledAt;
}

// The reader must go away in the few milliseconds between the coordinator's last log lines and its exit:
// with the defect, about one stop in two hung; three stops in a row catch it seven times in eight.
it('a coordinator whose output reader goes away as it gets SIGTERM still exits within its drain time (it hung in its exit)', async () => {
  const repository = await demoRepository();
  for (let round = 0; round < 3; round++) {
    const stoppedMs = await stopUnderGoneReader(repository);
    expect(stoppedMs, `stop ${round + 1}`).not.toBe('hung');
    expect(stoppedMs).toBeLessThan(DRAIN_TIMEOUT_MS + 5_000);
  }
}, 120_000);
