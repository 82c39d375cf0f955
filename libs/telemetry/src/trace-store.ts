import { LRUCache } from 'lru-cache';
import { z } from 'zod/v4';
import { InvalidTraceIdError } from './errors.js';
import type { Trace, TraceJson } from './trace.js';
import { isTraceId } from './trace-context.js';
import { parseOptions } from '@infermesh/foundation';

export const TraceStoreOptionsSchema = z.strictObject({
  /** Trace ids kept; the least recently used goes first. */
  maxTraces: z.int().min(1).max(1_000_000).default(1000),
  /** Local traces kept under one trace id (a client may reuse its trace id across calls). */
  maxTracesPerId: z.int().min(1).max(1000).default(16),
});
export type TraceStoreOptions = z.input<typeof TraceStoreOptionsSchema>;

/** What `TraceStore.get` returns: every local trace recorded under one trace id, oldest first. */
export interface StoredTrace {
  traceId: string;
  traces: TraceJson[];
}

/**
 * The recent traces of this process, by trace id, bounded by count (LRU). A trace is added when it
 * starts, so an in-flight request can be inspected; JSON is built on `get`, not on every span.
 */
export class TraceStore {
  readonly #cache: LRUCache<string, Trace[]>;
  readonly #perId: number;

  constructor(options: TraceStoreOptions = {}) {
    const o = parseOptions(TraceStoreOptionsSchema, options, 'trace store');
    this.#cache = new LRUCache({ max: o.maxTraces });
    this.#perId = o.maxTracesPerId;
  }

  get size(): number {
    return this.#cache.size;
  }

  add(trace: Trace): void {
    const list = this.#cache.get(trace.traceId);
    if (!list) {
      this.#cache.set(trace.traceId, [trace]);
      return;
    }
    if (list.includes(trace)) return;
    list.push(trace);
    if (list.length > this.#perId) list.shift();
  }

  /**
   * The traces recorded under `traceId`, or `undefined` when unknown or evicted.
   * Throws `InvalidTraceIdError` when `traceId` is not 32 lowercase hex digits.
   */
  get(traceId: string): StoredTrace | undefined {
    if (!isTraceId(traceId)) throw new InvalidTraceIdError(traceId);
    const list = this.#cache.get(traceId);
    return list ? { traceId, traces: list.map((t) => t.toJSON()) } : undefined;
  }

  /** Recent trace ids, most recently used first. */
  ids(limit = Infinity): string[] {
    const out: string[] = [];
    for (const id of this.#cache.keys()) {
      if (out.length >= limit) break;
      out.push(id);
    }
    return out;
  }

  clear(): void {
    this.#cache.clear();
  }
}
