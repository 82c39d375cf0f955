import { pino, type DestinationStream, type Logger } from 'pino';
import { z } from 'zod/v4';
import { parseOptions } from '@infermesh/foundation';
import { prettyLine } from './pretty-line.js';

/** Where log lines go: anything with `write(line)`, like `process.stdout`. */
export interface LogDestination {
  write(line: string): unknown;
  isTTY?: boolean;
}

export const LoggerOptionsSchema = z.strictObject({
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** The `name` field of every record, e.g. `coordinator`. */
  name: z.string().min(1).optional(),
  /** One human-readable line per record instead of JSON. Default: when the destination is a TTY and `CI` is unset. */
  pretty: z.boolean().optional(),
  /** Fields on every record, e.g. `{ worker: 'w1' }`. */
  base: z.record(z.string(), z.unknown()).default({}),
  destination: z.custom<LogDestination>((v) => typeof v === 'object' && v !== null && typeof (v as LogDestination).write === 'function', 'expected { write(line) }').optional(),
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
  const destination: DestinationStream = pretty ? { write: (line: string) => void out.write(prettyLine(line)) } : { write: (line: string) => void out.write(line) };
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

export type { Logger };
