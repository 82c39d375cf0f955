import type { Context } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LRUCache } from 'lru-cache';
import { z } from 'zod/v4';
import { parseOptions } from '@infermesh/foundation';
import { InvalidTraceIdError } from './errors.js';
import type { Attributes, SpanJson } from './span.js';
import type { TraceJson } from './trace.js';
import { isTraceId } from './trace-context.js';

export const TraceStoreOptionsSchema = z.strictObject({
  /** Trace ids kept; the least recently used goes first. */
  maxTraces: z.int().min(1).max(1_000_000).default(1000),
  /** Spans kept under one trace id; more are counted as dropped. */
  maxSpansPerTrace: z.int().min(1).max(100_000).default(1024),
});
export type TraceStoreOptions = z.input<typeof TraceStoreOptionsSchema>;

/** What `TraceStore.get` returns: every local trace (one per local root span) under one trace id, oldest first. */
export interface StoredTrace {
  traceId: string;
  traces: TraceJson[];
}

/** A span as the store holds it: the SDK's live span (JSON built on `get`) or a finished remote one. */
type Entry = { sdk: ReadableSpan } | { json: SpanJson };
interface Spans {
  entries: Entry[];
  dropped: number;
}

function toJson(span: ReadableSpan): SpanJson {
  const parent = span.parentSpanContext;
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[key] = value;
  }
  return {
    spanId: span.spanContext().spanId,
    parentSpanId: parent?.spanId ?? null,
    name: span.name,
    startMs: hrTimeToMilliseconds(span.startTime),
    durationMs: span.ended ? hrTimeToMilliseconds(span.duration) : null,
    attributes,
    remote: false,
  };
}

/**
 * The recent sampled traces of this process, by trace id, bounded by count (LRU), for
 * `GET /v2/traces/{id}` and the dashboard. It is an OpenTelemetry `SpanProcessor`: registered on the
 * tracer provider beside the exporter's, it sees every sampled span when it starts (so an in-flight
 * request can be inspected) and keeps a reference; JSON is built on `get`, not per span. Spans another
 * process measured (a worker's stages) arrive through `addRemote`.
 */
export class TraceStore implements SpanProcessor {
  readonly #cache: LRUCache<string, Spans>;
  readonly #maxSpans: number;

  constructor(options: TraceStoreOptions = {}) {
    const o = parseOptions(TraceStoreOptionsSchema, options, 'trace store');
    this.#cache = new LRUCache({ max: o.maxTraces });
    this.#maxSpans = o.maxSpansPerTrace;
  }

  get size(): number {
    return this.#cache.size;
  }

  #spans(traceId: string): Spans {
    let spans = this.#cache.get(traceId);
    if (!spans) {
      spans = { entries: [], dropped: 0 };
      this.#cache.set(traceId, spans);
    }
    return spans;
  }

  #add(traceId: string, entry: Entry): void {
    const spans = this.#spans(traceId);
    if (spans.entries.length >= this.#maxSpans) spans.dropped++;
    else spans.entries.push(entry);
  }

  onStart(span: SdkSpan, _parentContext: Context): void {
    this.#add(span.spanContext().traceId, { sdk: span });
  }

  onEnd(_span: ReadableSpan): void {
    // The span was kept when it started; it is the same object, now ended.
  }

  /** Adds spans measured in another process (their parents are spans of this process). */
  addRemote(traceId: string, spans: readonly SpanJson[]): void {
    for (const json of spans) this.#add(traceId, { json });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.#cache.clear();
    return Promise.resolve();
  }

  /**
   * The traces recorded under `traceId`, or `undefined` when unknown or evicted.
   * Throws `InvalidTraceIdError` when `traceId` is not 32 lowercase hex digits.
   */
  get(traceId: string): StoredTrace | undefined {
    if (!isTraceId(traceId)) throw new InvalidTraceIdError(traceId);
    const stored = this.#cache.get(traceId);
    if (!stored) return undefined;
    const all = stored.entries.map((e) => ('sdk' in e ? toJson(e.sdk) : e.json));
    const byId = new Map(all.map((s) => [s.spanId, s]));
    // A local root is a span whose parent is not in this process (absent, or the caller's span).
    const rootOf = (span: SpanJson): SpanJson => {
      let current = span;
      for (let hops = 0; hops < all.length; hops++) {
        const parent = current.parentSpanId === null ? undefined : byId.get(current.parentSpanId);
        if (!parent) return current;
        current = parent;
      }
      return current;
    };
    const groups = new Map<SpanJson, SpanJson[]>();
    for (const span of all) {
      const root = rootOf(span);
      const group = groups.get(root);
      if (group) {
        if (span !== root) group.push(span);
      } else groups.set(root, span === root ? [] : [span]);
    }
    const traces: TraceJson[] = [];
    for (const [root, rest] of groups) {
      rest.sort((a, b) => a.startMs - b.startMs);
      traces.push({
        traceId, rootSpanId: root.spanId, parentSpanId: root.parentSpanId, name: root.name, startMs: root.startMs,
        durationMs: root.durationMs, droppedSpans: stored.dropped, spans: [root, ...rest],
      });
    }
    traces.sort((a, b) => a.startMs - b.startMs);
    return { traceId, traces };
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
