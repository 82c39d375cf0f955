import { randomFillSync } from 'node:crypto';
import { z } from 'zod/v4';
import { fn, parseOptions } from '@infermesh/foundation';
import type { Attributes } from './span.js';
import { Trace } from './trace.js';
import { parseTraceparent, randomHexId, type RandomBytes } from './trace-context.js';
import type { TraceStore } from './trace-store.js';

/** Where ended traces go besides the store: an exporter, a metrics hook. `export` must not block. */
export interface TraceSink {
  export(trace: Trace): void;
}

/** Epoch ms with sub-ms precision, monotonic within the process. */
export const performanceClock = (): number => performance.timeOrigin + performance.now();

/**
 * Random bytes from a pool refilled 4 KB at a time: one `randomFillSync` call costs about as much as
 * filling a few KB (a trip into the native layer), and a request asks for ten or so 8-byte ids.
 * The bytes are the same CSPRNG's; each caller gets its own copy.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolOffset = POOL_BYTES;
export const pooledRandomBytes: RandomBytes = (size) => {
  if (size > POOL_BYTES) return randomFillSync(new Uint8Array(size));
  if (poolOffset + size > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.slice(poolOffset, poolOffset + size);
  poolOffset += size;
  return bytes;
};


export const TracerOptionsSchema = z.strictObject({
  /** Now, in epoch ms with sub-ms precision. */
  clock: fn<() => number>().default(() => performanceClock),
  /** Random bytes for trace and span ids. */
  randomBytes: fn<RandomBytes>().default(() => pooledRandomBytes),
  /** Spans recorded per trace beyond the root; more are counted in `droppedSpans`. */
  maxSpansPerTrace: z.int().min(1).max(100_000).default(512),
  /** Keeps traces for lookup by id; traces are added when they start. */
  store: z.custom<TraceStore>((v) => typeof v === 'object' && v !== null && typeof (v as TraceStore).add === 'function', 'expected a TraceStore').optional(),
  /** Receive each trace when it ends (an `OtlpExporter`, a metrics hook). */
  sinks: z.array(z.custom<TraceSink>((v) => typeof v === 'object' && v !== null && typeof (v as TraceSink).export === 'function', 'expected { export(trace) }')).default([]),
});
export type TracerOptions = z.input<typeof TracerOptionsSchema>;

export interface StartOptions {
  /** The incoming `traceparent` header; continued when valid, ignored (new trace) when not. */
  traceparent?: string | readonly string[] | undefined;
  attributes?: Attributes;
}

/** Starts one trace per request, continuing the caller's W3C trace when it sent one. */
export class Tracer {
  readonly #clock: () => number;
  readonly #random: RandomBytes;
  readonly #maxSpans: number;
  readonly #store: TraceStore | undefined;
  readonly #sinks: TraceSink[];
  // Made once, not per trace: closures made per request are garbage, and under tsx each also pays
  // for keepNames' Object.defineProperty.
  readonly #newSpanId = (): string => randomHexId(this.#random, 8);
  readonly #onEnd = (trace: Trace): void => {
    for (const sink of this.#sinks) sink.export(trace);
  };

  constructor(options: TracerOptions = {}) {
    const o = parseOptions(TracerOptionsSchema, options, 'tracer');
    this.#clock = o.clock;
    this.#random = o.randomBytes;
    this.#maxSpans = o.maxSpansPerTrace + 1;
    this.#store = o.store;
    this.#sinks = o.sinks;
  }

  /** Starts a trace whose root span is named `name` (e.g. `POST /v2/models/:name/infer`). */
  start(name: string, options: StartOptions = {}): Trace {
    const incoming = parseTraceparent(options.traceparent);
    const trace = new Trace({
      name,
      traceId: incoming?.traceId ?? randomHexId(this.#random, 16),
      parentSpanId: incoming?.spanId ?? null,
      flags: incoming?.flags ?? '01',
      attributes: options.attributes,
      maxSpans: this.#maxSpans,
      now: this.#clock,
      newSpanId: this.#newSpanId,
      onEnd: this.#onEnd,
    });
    this.#store?.add(trace);
    return trace;
  }
}
