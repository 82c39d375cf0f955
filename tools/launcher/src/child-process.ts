import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { nodeArgsFor, WORKSPACE_ROOT } from './paths.js';

/** One JSON log line of a child (pino's format). */
export interface LogLine {
  level?: number;
  msg?: string;
  port?: number;
  [key: string]: unknown;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /**
   * Resolves with the next log line whose `msg` matches (and `match`, when given), or rejects when
   * the child exits first. Register before causing the line, to not miss it.
   */
  waitFor(msg: string, options?: { timeoutMs?: number; match?: (line: LogLine) => boolean }): Promise<LogLine>;
  /** Every line the child wrote, for a test's failure message. */
  readonly output: string[];
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  entry: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Run inside this Linux network namespace (`ip netns exec NAME`, root only): a test "host" of its own. */
  netns?: string;
  /** Called with each line (raw, and parsed when it is JSON). */
  onLine?: (name: string, raw: string, parsed: LogLine | undefined) => void;
}

/** Lines kept for failure messages; trimmed in one go at twice this many (a shift per line moves them all). */
const MAX_KEPT_LINES = 2_000;

/** Starts an app from source and follows its JSON log, so callers can wait for "listening". */
export function spawnApp(options: SpawnOptions): ManagedProcess {
  const argv = [process.execPath, ...nodeArgsFor(options.entry), options.entry, ...options.args];
  // `ip netns exec` execs the command in place: the child's pid is node's, so signals reach the app itself.
  const [command, ...args] = options.netns === undefined ? argv : ['ip', 'netns', 'exec', options.netns, ...argv];
  const child = spawn(command!, args, {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...options.env },
    // The IPC channel is how the app learns that this process is gone, even by SIGKILL (its
    // `stopWithParent`): it then stops as on SIGTERM instead of serving on with nobody to stop it.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  const waiters: Array<{ msg: string; match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  // Both are pipes (stdio above); the type cannot say so once the tuple has an IPC slot.
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (raw) => {
      output.push(raw);
      if (output.length >= 2 * MAX_KEPT_LINES) output.splice(0, output.length - MAX_KEPT_LINES);
      // A child under load logs a line per request: parse only when someone reads the result.
      if (waiters.length === 0 && options.onLine === undefined) return;
      let parsed: LogLine | undefined;
      try {
        const v: unknown = JSON.parse(raw);
        if (typeof v === 'object' && v !== null) parsed = v as LogLine;
      } catch {
        parsed = undefined;
      }
      options.onLine?.(options.name, raw, parsed);
      for (const w of waiters.slice()) {
        if (parsed?.msg === w.msg && w.match(parsed)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(parsed);
        }
      }
    });
  }

  return {
    name: options.name,
    child,
    output,
    exited,
    waitFor(msg, { timeoutMs = 30_000, match = () => true } = {}) {
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${options.name}: no '${msg}' within ${timeoutMs} ms\n${output.join('\n')}`)), timeoutMs);
        const waiter = { msg, match, resolve: (l: LogLine) => { clearTimeout(timer); resolve(l); } };
        waiters.push(waiter);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${options.name} exited (code ${code}) before '${msg}'\n${output.join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
