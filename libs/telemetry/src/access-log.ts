import type { Logger } from 'pino';
import { z } from 'zod/v4';
import { fn, parseOptions } from '@infermesh/foundation';
import { deferLines } from './deferred-lines.js';

/** One request as its access-log line records it. */
export interface AccessEntry {
  /** `http`, `grpc` or `ws`. */
  protocol: 'http' | 'grpc' | 'ws';
  /** HTTP method, gRPC method name or WebSocket frame type. */
  method: string;
  /** The route template (`/v2/models/:name/infer`), the gRPC full method, or the WebSocket path. */
  route: string;
  /** The model asked for, when the request names one. */
  model?: string | undefined;
  /** HTTP status or gRPC status code; for WebSocket the HTTP status the same error would have. */
  status: number;
  /** `ok` or the `IM_*` error code answered. */
  code: string;
  duration_ms: number;
  /** The request's trace id (also its `x-request-id`). */
  trace_id?: string | undefined;
}

export const AccessLogOptionsSchema = z.strictObject({
  /** Share of successful requests logged, 0..1 (decided per request). Failed ones are always logged. */
  sample: z.number().min(0).max(1).default(1),
  /** A random number in [0, 1); injectable so sampling is tested deterministically. */
  random: fn<() => number>().default(() => Math.random),
  /**
   * Codes that refuse load (429s: over capacity, rate limited). Under overload they come by the thousand
   * a second, and a line each would spend the CPU the refusal saves: the first of a code in a window is
   * written whole, the rest are counted and written as one summary line when the window ends. Default:
   * none (every failure written whole).
   */
  summarisedCodes: z.array(z.string().min(1)).default([]),
  /** The summary window, ms; 0 writes every refusal whole. */
  summaryWindowMs: z.int().min(0).max(3_600_000).default(1_000),
});
export type AccessLogOptions = z.input<typeof AccessLogOptionsSchema>;

/**
 * One structured line per request, the same fields on every protocol. Under load the successful
 * requests are sampled (`sample`); a request answered with an error code is always written, at `warn`
 * for a client error (4xx-like) and `error` for a server one, so failures are never sampled away. A
 * `summarisedCodes` refusal beyond the first of its window is counted into a summary line
 * (`msg: 'requests refused'`, `code`, `count`, `window_ms`), never dropped.
 */
export class AccessLog {
  readonly #log: Logger;
  readonly #sample: number;
  readonly #random: () => number;
  readonly #summarised: ReadonlySet<string>;
  readonly #windowMs: number;
  /** Per summarised code seen in the current window: refusals since its first, not yet written. */
  readonly #repeats = new Map<string, number>();
  #window: NodeJS.Timeout | undefined;

  constructor(log: Logger, options: AccessLogOptions = {}) {
    const o = parseOptions(AccessLogOptionsSchema, options, 'access log');
    this.#log = log;
    this.#sample = o.sample;
    this.#random = o.random;
    this.#summarised = new Set(o.summarisedCodes);
    this.#windowMs = o.summaryWindowMs;
  }

  /** Writes the line (or samples it away); `serverError` marks a failure of ours rather than the client's. */
  record(entry: AccessEntry, serverError = false): void {
    if (entry.code === 'ok') {
      if (this.#sample < 1 && (this.#sample === 0 || this.#random() >= this.#sample)) return;
      // Successful requests' lines may wait to go out together (`deferLines`); failures go out at once.
      if (this.#log.isLevelEnabled('info')) deferLines(() => this.#log.info(entry, 'request'));
      return;
    }
    if (this.#windowMs > 0 && this.#summarised.has(entry.code)) {
      const repeats = this.#repeats.get(entry.code);
      if (repeats !== undefined) {
        this.#repeats.set(entry.code, repeats + 1);
        return;
      }
      this.#repeats.set(entry.code, 0);
      if (this.#window === undefined) {
        this.#window = setTimeout(() => this.flush(), this.#windowMs);
        this.#window.unref();
      }
    }
    if (serverError) this.#log.error(entry, 'request');
    else this.#log.warn(entry, 'request');
  }

  /** Writes the summaries of the current window now and starts a new one (the window's end does it; call it when stopping). */
  flush(): void {
    clearTimeout(this.#window);
    this.#window = undefined;
    for (const [code, count] of this.#repeats) {
      if (count > 0) this.#log.warn({ code, count, window_ms: this.#windowMs }, 'requests refused');
    }
    this.#repeats.clear();
  }
}
