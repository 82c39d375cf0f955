import { isMainThread } from 'node:worker_threads';
import { pino, type DestinationStream, type Logger } from 'pino';
import { z } from 'zod/v4';
import { parseOptions } from '@infermesh/foundation';
import { DeferredLines } from './deferred-lines.js';
import { InvalidTelemetryConfigError } from './errors.js';
import { prettyLine } from './pretty-line.js';
import { stdoutStream } from './stdout-stream.js';

/** Where log lines go: anything with `write(line)`, like `process.stdout`. */
export interface LogDestination {
  write(line: string): unknown;
  isTTY?: boolean;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LoggerOptionsSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
  /** The `name` field of every record, e.g. `coordinator`. */
  name: z.string().min(1).optional(),
  /** One human-readable line per record instead of JSON. Default: when the destination is a TTY and `CI` is unset. */
  pretty: z.boolean().optional(),
  /** Fields on every record, e.g. `{ worker: 'w1' }`. */
  base: z.record(z.string(), z.unknown()).default({}),
  destination: z.custom<LogDestination>((v) => typeof v === 'object' && v !== null && typeof (v as LogDestination).write === 'function', 'expected { write(line) }').optional(),
  /**
   * Standard output only (the default destination, JSON lines, main thread): the longest, ms, that a line
   * written inside `deferLines` (the access log's) waits to go out with the lines after it; at 8 KiB held
   * they go at once, and any other line takes them along. 0: every line at once.
   */
  flushMs: z.int().min(0).max(60_000).default(0),
  /** The environment read for `CI`. */
  env: z.record(z.string(), z.string().optional()).optional(),
});
export type LoggerOptions = z.input<typeof LoggerOptionsSchema>;

/**
 * A pino logger writing structured JSON, one record per line. Give each request its own child,
 * `log.child({ requestId, traceId })`, so every line about it carries both ids.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const o = parseOptions(LoggerOptionsSchema, options, 'logger');
  const out: LogDestination = o.destination ?? process.stdout;
  const env = o.env ?? process.env;
  const pretty = o.pretty ?? (out.isTTY === true && !env['CI']);
  // Formatting in the calling thread keeps it synchronous and dependency-free; pino-pretty would run a
  // worker thread and bring a dozen packages for the same line.
  const destination: DestinationStream = pretty
    ? { write: (line: string) => void out.write(prettyLine(line)) }
    : o.destination === undefined && isMainThread
      ? stdoutLines(o.flushMs)
      : { write: (line: string) => void out.write(line) };
  return pino(
    {
      level: o.level,
      ...(o.name !== undefined ? { name: o.name } : {}),
      base: { pid: process.pid, ...o.base },
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );
}

/** JSON lines to standard output (stdout-stream.ts), the access lines held up to `flushMs` (deferred-lines.ts). */
function stdoutLines(flushMs: number): DestinationStream {
  const stdout = stdoutStream();
  return flushMs > 0 ? new DeferredLines(stdout, flushMs, DEFERRED_FLUSH_BYTES) : stdout;
}

/** Deferred lines held before they go out without waiting for the timer. */
const DEFERRED_FLUSH_BYTES = 8 * 1024;

/**
 * The logger of one component (`access`, `grpc`, `workers`…): a child whose records carry
 * `component` and whose level is `levels[component]` when set, the parent's otherwise.
 */
export function componentLogger(log: Logger, component: string, levels: Readonly<Record<string, LogLevel | undefined>> = {}): Logger {
  const level = levels[component];
  return log.child({ component }, level !== undefined ? { level } : {});
}

/**
 * Per-component levels from an environment variable such as `INFERMESH_LOG_LEVELS=access=warn,grpc=debug`.
 * Throws `InvalidTelemetryConfigError` (`IM_TELEMETRY_INVALID_CONFIG`) on a malformed entry or an unknown level.
 */
export function logLevelsFromEnv(env: Readonly<Record<string, string | undefined>>, variable = 'INFERMESH_LOG_LEVELS'): Record<string, LogLevel> {
  const raw = env[variable]?.trim();
  const levels: Record<string, LogLevel> = {};
  if (!raw) return levels;
  for (const entry of raw.split(',')) {
    const [component, level, extra] = entry.trim().split('=');
    if (!component || extra !== undefined || !(LOG_LEVELS as readonly string[]).includes(level ?? '')) {
      throw new InvalidTelemetryConfigError(variable, raw, `component=level pairs separated by commas, levels ${LOG_LEVELS.join('|')}`);
    }
    levels[component] = level as LogLevel;
  }
  return levels;
}

export type { Logger };
