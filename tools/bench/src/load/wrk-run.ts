import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withHeaders, type HttpBody, type HttpLoadOptions } from './http-load.js';
import type { LoadResult } from './load-result.js';

/** The Lua script wrk runs: the shared turn of bodies and the JSON line of results (its header says how). */
const SCRIPT = fileURLToPath(new URL('./wrk-shared-turn.lua', import.meta.url));

export interface WrkLoadOptions extends Omit<HttpLoadOptions, 'amount' | 'onAnswer'> {
  /**
   * wrk threads. Default 1: one wrk thread (C, epoll) sends far more than the systems measured here
   * answer (tens of thousands of req/s against their 8k), and on a 2-core machine a second thread only
   * takes CPU from the system under test. At most `connections`.
   */
  threads?: number;
  /** Seconds a request may take before wrk counts it as a timeout. Default 30 (as autocannon-run). */
  timeoutS?: number;
  /** The wrk binary. Default `wrk`, found on PATH. */
  command?: string;
}

/** What the script's done() prints: wrk's summary, latencies in µs (null when there were no answers). */
interface WrkSummary {
  wrk: 'done';
  durationUs: number;
  requests: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null; max: number | null };
}

/**
 * The bodies file of wrk-shared-turn.lua: per body, "<header count> <body bytes>\n", the header lines,
 * then the body's bytes.
 */
export function bodiesFile(bodies: readonly HttpBody[]): Buffer {
  const parts: Buffer[] = [];
  for (const { body, headers } of bodies) {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const entries = Object.entries(headers);
    for (const [name, value] of entries) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new TypeError(`a header name must be an HTTP token, got ${JSON.stringify(name)}`);
      if (/[\r\n]/.test(value)) throw new TypeError(`the value of header ${name} holds a line break`);
    }
    parts.push(Buffer.from(`${entries.length} ${bytes.length}\n${entries.map(([n, v]) => `${n}: ${v}\n`).join('')}`), bytes);
  }
  return Buffer.concat(parts);
}

function validate(options: WrkLoadOptions, threads: number, timeoutS: number): void {
  if (options.bodies.length === 0) throw new TypeError('bodies must hold at least one request body');
  if ((options.rotation ?? 'per-connection') === 'per-connection' && options.bodies.length > 1) {
    throw new TypeError("wrk cannot tell its connections apart: several bodies need rotation 'shared' (or autocannon-run)");
  }
  if (!Number.isInteger(options.connections) || options.connections < 1) throw new RangeError(`connections must be an integer ≥ 1, got ${options.connections}`);
  if (!Number.isInteger(threads) || threads < 1 || threads > options.connections) throw new RangeError(`threads must be an integer from 1 to connections (${options.connections}), got ${threads}`);
  if (!(options.durationS > 0)) throw new RangeError(`durationS must be positive, got ${options.durationS}`);
  if (!Number.isInteger(timeoutS) || timeoutS < 1) throw new RangeError(`timeoutS must be a whole number of seconds ≥ 1 (wrk counts whole seconds), got ${timeoutS}`);
}

/** wrk's own complaint without its usage text (a bad URL prints "invalid URL: …" and then the usage). */
const complaint = (output: string): string =>
  output.split('\n').slice(0, Math.max(1, output.split('\n').findIndex((l) => l.startsWith('Usage:')))).join(' / ').trim();

const notFound = (command: string, cause: unknown): Error => new Error(`wrk not found (${command}): it comes from the Debian package wrk`, { cause });

/** Throws, naming the Debian package, when `command` (default `wrk`) cannot be run: a scenario's `requireTools`. */
export function requireWrk(command = 'wrk'): void {
  const probe = spawnSync(command, ['-v'], { stdio: 'ignore' });
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw notFound(command, probe.error);
  if (probe.error) throw probe.error;
}

function spawnWrk(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? notFound(command, error) : error),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`wrk failed (${signal ?? `exit ${code}`}): ${complaint(err + out) || 'no output'}`));
    });
  });
}

const ms = (us: number | null): number => (us ?? 0) / 1000;

/**
 * wrk as a child process: N keep-alive connections, one request in flight on each, the bodies POSTed
 * in one turn shared by every connection (wrk-shared-turn.lua). wrk runs whole seconds, so `durationS`
 * is rounded up; the result's `durationS` is the one wrk measured. wrk reports once, at the end: there
 * is no per-answer callback. An answer is ok unless wrk counts it as an error: a status above 399 or a
 * timeout (wrk's own rule: a 1xx or 3xx would count as ok; the servers measured here send none).
 * Latency is wrk's, of every answer within the timeout, whatever its status.
 */
export async function runWrk(options: WrkLoadOptions): Promise<LoadResult> {
  const threads = options.threads ?? 1;
  const timeoutS = options.timeoutS ?? 30;
  validate(options, threads, timeoutS);
  const dir = await mkdtemp(join(tmpdir(), 'infermesh-wrk-'));
  try {
    const bodies = join(dir, 'bodies');
    await writeFile(bodies, bodiesFile(options.bodies.map(withHeaders)));
    const args = ['-t', `${threads}`, '-c', `${options.connections}`, '-d', `${Math.ceil(options.durationS)}s`, '--timeout', `${timeoutS}s`, '-s', SCRIPT, options.url, '--', bodies, `${threads}`];
    const out = await spawnWrk(options.command ?? 'wrk', args);
    const line = out.split('\n').find((l) => l.startsWith('{"wrk":"done"'));
    if (!line) throw new Error(`wrk printed no results line (is ${SCRIPT} its script?): ${complaint(out)}`);
    const summary = JSON.parse(line) as WrkSummary;
    const { connect, read, write, status, timeout } = summary.errors;
    const ok = Math.max(0, summary.requests - status - timeout);
    const durationS = summary.durationUs / 1e6;
    const { p50, p95, p99, mean, max } = summary.latencyUs;
    return {
      rps: ok / durationS,
      latency: { p50: ms(p50), p95: ms(p95), p99: ms(p99), mean: ms(mean), max: ms(max), count: ok },
      ok,
      errors: connect + read + write + status + timeout,
      durationS,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
