import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NODE_SOURCE_ARGS, WORKSPACE_ROOT } from '@infermesh/launcher';
import { demoRepository, processAlive } from '../fixtures.js';
import { mlpInput } from '../references.js';

/** `npm start`'s launcher as a real process, up and ready, with the pid of every process it started. */
export interface LauncherRun {
  readonly launcher: ChildProcess;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  readonly url: string;
  /** pid → the name the launcher prints its lines under (`coordinator`, `worker-1`…). */
  readonly pids: ReadonlyMap<number, string>;
  /** The pids still running, as `name pid` (a zombie counts as gone). */
  left(): string[];
  /** SIGKILLs the launcher and whatever it left: for `afterAll`, so a failed test leaves nothing. */
  kill(): void;
}

/**
 * Starts the launcher from source on free ports with `--json` and `args`, reads its output until "infermesh
 * is ready", and stops reading there (the caller decides what becomes of the pipe).
 */
export async function startLauncher(args: string[]): Promise<LauncherRun> {
  const tokenDir = mkdtempSync(join(tmpdir(), 'im-launcher-'));
  const launcher = spawn(process.execPath, [
    ...NODE_SOURCE_ARGS, join(WORKSPACE_ROOT, 'tools/launcher/src/main.ts'),
    '--repository', await demoRepository(), '--http-port', '0', '--grpc-port', '0', '--worker-port', '0',
    '--token-file', join(tokenDir, 'token'), '--json', ...args,
  ], { cwd: WORKSPACE_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(launcher, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const pids = new Map<number, string>();
  const left = (): string[] => [...pids].filter(([pid]) => processAlive(pid)).map(([pid, name]) => `${name} ${pid}`);
  const kill = (): void => {
    launcher.kill('SIGKILL');
    for (const pid of pids.keys()) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  };
  let url: string | undefined;
  for await (const line of createInterface({ input: launcher.stdout! })) {
    // `[name] {json}` lines carry the pid of the process that wrote them.
    const [, name, json] = /^\[([\w-]+)\] (\{.*\})$/.exec(line) ?? [];
    if (name && json) pids.set((JSON.parse(json) as { pid: number }).pid, name);
    url = /^infermesh is ready: coordinator (http:\/\/\S+)/.exec(line)?.[1];
    if (url) break;
  }
  if (url === undefined) {
    kill();
    throw new Error(`the launcher ended before it was ready (${args.join(' ')})`);
  }
  return { launcher, exited, url, pids, left, kill };
}

/** One demo MLP request through the launcher's coordinator; resolves with its status. */
export async function inferMlp(url: string): Promise<number> {
  const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, 1) }] });
  const res = await fetch(`${url}/v2/models/mlp/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return res.status;
}
