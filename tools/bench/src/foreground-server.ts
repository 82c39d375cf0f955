import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * A C server the bench runs beside the engine (nginx, HAProxy): found on the PATH or where Debian puts it,
 * started in the foreground as the bench's child, ready once its port accepts, stopped with SIGTERM.
 */
export interface ForegroundServer {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** The binary `name` at one of `candidates` or on the PATH; undefined when it is not installed. */
export function findBinary(name: string, candidates: readonly string[]): string | undefined {
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A loopback port free now (the OS's pick), for a server that cannot listen on port 0 and report it. */
export { freePort } from '@infermesh/foundation';

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Runs `binary args` and waits (10 s at most) until 127.0.0.1:`port` accepts. On failure it stops the child
 * and throws with its stderr and, when given, the log file it wrote.
 */
export async function startForegroundServer(options: { name: string; binary: string; args: readonly string[]; port: number; logFile?: string }): Promise<ForegroundServer> {
  const child = spawn(options.binary, options.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM'); // nginx: fast shutdown (the master ends its workers); HAProxy: hard stop
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      const log = options.logFile && existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8') : '';
      throw new Error(`${options.name} did not start (exit ${child.exitCode})\n${stderr.join('')}${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port: options.port, child, stop };
}
