import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface AppsCheckResult {
  readonly ok: boolean;
  /** What was proved, or what failed, one line each. */
  readonly lines: readonly string[];
}

interface Running {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resolves with the first JSON log line whose `msg` is the one asked for. */
  waitFor(msg: string, timeoutMs: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
}

/** Starts an installed bin from the scratch project's `node_modules/.bin`, reading its JSON log lines. */
function startBin(scratchDir: string, bin: string, args: readonly string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(join(scratchDir, 'node_modules', '.bin', bin), args, { cwd: scratchDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  const onLine = (raw: string): void => {
    output.push(raw);
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const w of waiters.filter((x) => x.msg === line.msg)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', (raw) => output.push(raw));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output,
    exited,
    waitFor: (msg, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${bin}: no '${msg}' log line within ${timeoutMs} ms\n${output.slice(-20).join('\n')}`)), timeoutMs);
        void exited.then((code) => reject(new Error(`${bin} exited (${code}) before '${msg}'\n${output.slice(-20).join('\n')}`)));
        waiters.push({ msg, resolve: (line) => { clearTimeout(timer); resolve(line); } });
      }),
  };
}

async function stop(app: Running, name: string, lines: string[]): Promise<boolean> {
  if (app.child.exitCode !== null) return app.child.exitCode === 0;
  app.child.kill('SIGTERM');
  const code = await Promise.race([app.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
  if (code === 'timeout') {
    app.child.kill('SIGKILL');
    lines.push(`${name}: did not exit within 20 s of SIGTERM`);
    return false;
  }
  lines.push(`${name}: SIGTERM → exit ${code}`);
  return code === 0;
}

/**
 * The apps as a user installs them: `infermesh-coordinator` and `infermesh-worker --demo-models` started
 * from the scratch project's bins (no monorepo, models written by the installed `@infermesh/models`), the
 * coordinator's gRPC endpoint up (its .proto found in the installed contracts), a sentiment request over HTTP answered `positive`, then both stopped with SIGTERM and exiting 0.
 */
export async function checkApps(scratchDir: string, modelsDir: string): Promise<AppsCheckResult> {
  const lines: string[] = [];
  const env = { ...process.env, NODE_OPTIONS: '' };
  // As an operator runs them: the worker channel's secret in a 0600 file both read (a coordinator without one does not start).
  const secretFile = join(scratchDir, 'worker-secret');
  writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  const coordinator = startBin(scratchDir, 'infermesh-coordinator', ['--listen-port', '0', '--worker-port', '0', '--grpc-port', '0', '--secret-file', secretFile], env);
  let worker: Running | undefined;
  let ok = false;
  try {
    // gRPC listening proves the installed coordinator found the .proto inside the installed @infermesh/contracts.
    const [http, channel, grpc] = await Promise.all([
      coordinator.waitFor('coordinator listening', 30_000),
      coordinator.waitFor('worker channel listening', 30_000),
      coordinator.waitFor('grpc listening', 30_000),
    ]);
    lines.push(`infermesh-coordinator: listening on HTTP ${String(http.port)}, gRPC ${String(grpc.port)}, worker channel ${String(channel.port)}`);
    const joined = coordinator.waitFor('worker joined', 60_000);
    worker = startBin(scratchDir, 'infermesh-worker', ['--demo-models', '--repository', modelsDir, '--coordinator', `127.0.0.1:${String(channel.port)}`, '--secret-file', secretFile], env);
    const joinedLine = await joined;
    lines.push(`infermesh-worker --demo-models: joined with ${JSON.stringify(joinedLine.models)}`);
    const response = await fetch(`http://127.0.0.1:${String(http.port)}/v2/models/sentiment/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['I love this movie'] }] }),
    });
    const body = (await response.json()) as { outputs?: Array<{ name: string; data: unknown[] }> };
    const label = body.outputs?.find((o) => o.name === 'label')?.data[0];
    ok = response.status === 200 && label === 'positive';
    lines.push(`POST /v2/models/sentiment/infer "I love this movie": HTTP ${response.status}, label ${JSON.stringify(label)}${ok ? '' : ` (expected "positive"; body ${JSON.stringify(body)})`}`);
  } catch (error) {
    lines.push(error instanceof Error ? error.message : String(error));
  }
  const workerStopped = worker ? await stop(worker, 'infermesh-worker', lines) : false;
  const coordinatorStopped = await stop(coordinator, 'infermesh-coordinator', lines);
  return { ok: ok && workerStopped && coordinatorStopped, lines };
}
