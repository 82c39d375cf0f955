import { TraceFlags, type Context, type Tracer as OtelTracer } from '@opentelemetry/api';
import { Span, startOtelSpan, type Attributes, type RemoteSpan, type SpanJson, type SpanKindName, type SpanOwner } from './span.js';
import { formatTraceparent } from './trace-context.js';
import type { TraceStore } from './trace-store.js';

/** One local trace (one request in this process) as stored and served as JSON. */
export interface TraceJson {
  traceId: string;
  /** The root span of this process's part of the trace. */
  rootSpanId: string;
  /** The caller's span from an incoming `traceparent`; `null` when this process started the trace. */
  parentSpanId: string | null;
  name: string;
  startMs: number;
  durationMs: number | null;
  /** Spans not recorded because the trace reached `maxSpansPerTrace`. */
  droppedSpans: number;
  /** Every recorded span, the root first, then by start time. */
  spans: SpanJson[];
}

/** @internal What `Tracer` hands a new trace. */
export interface TraceInit {
  otelTracer: OtelTracer;
  now: () => number;
  name: string;
  kind: SpanKindName;
  attributes: Attributes | undefined;
  /** The caller's context from its `traceparent`, or the root context. */
  parentContext: Context;
  /** The incoming caller span, or `null`. */
  parentSpanId: string | null;
  /** Whether the caller asked for this trace to be sampled (its `traceparent` flag), `true` when none came. */
  parentSampled: boolean;
  maxSpans: number;
  store: TraceStore | undefined;
  newSpanId: () => string;
  onEnd: (trace: Trace) => void;
}

/**
 * The spans of one request in this process. The root span opens with the trace and closes with
 * `end()`. Exporting and storing sampled spans is the OpenTelemetry SDK's job (span processors);
 * the trace itself keeps only each span's name and timing, which the stage metrics read whether or
 * not the trace was sampled.
 */
export class Trace implements SpanOwner {
  readonly traceId: string;
  readonly name: string;
  readonly parentSpanId: string | null;
  readonly root: Span;
  /** True when the caller's `traceparent` was sampled (or there was none): a worker then returns its spans. */
  readonly parentSampled: boolean;
  readonly #spans: Span[] = [];
  readonly #maxSpans: number;
  readonly #store: TraceStore | undefined;
  readonly #newSpanId: () => string;
  readonly #onEnd: (trace: Trace) => void;
  readonly otelTracer: OtelTracer;
  readonly now: () => number;
  #dropped = 0;

  /** @internal Made by `Tracer.start`. */
  constructor(init: TraceInit) {
    this.otelTracer = init.otelTracer;
    this.now = init.now;
    const start = init.now();
    this.root = new Span(this, init.name, startOtelSpan(init.otelTracer, init.name, init.parentContext, init.kind, init.attributes, start), true, start);
    this.traceId = this.root.traceId;
    this.name = init.name;
    this.parentSpanId = init.parentSpanId;
    this.parentSampled = init.parentSampled;
    this.#maxSpans = init.maxSpans;
    this.#store = init.store;
    this.#newSpanId = init.newSpanId;
    this.#onEnd = init.onEnd;
    this.#spans.push(this.root);
  }

  /** @internal Called by the owner when a span of this trace starts. */
  adopt(span: Span): boolean {
    if (this.#spans.length >= this.#maxSpans) {
      this.#dropped++;
      return false;
    }
    this.#spans.push(span);
    return true;
  }

  /** The spans recorded so far, root first, in the order they were recorded (remote ones when attached): what the stage metrics read. */
  get spans(): readonly Span[] {
    return this.#spans;
  }

  /** True when the trace is sampled: its spans are exported and kept in the store. */
  get recording(): boolean {
    return this.root.recording;
  }

  get ended(): boolean {
    return this.root.ended;
  }

  /** Starts a span under the root. Nest with `span.span(...)` or `span.within(...)`. */
  span(name: string, attributes?: Parameters<Span['span']>[1], kind?: Parameters<Span['span']>[2]): Span {
    return this.root.span(name, attributes, kind);
  }

  /** Runs `fn` in a span under the root, ended when `fn` settles (see `Span.within`). */
  within<T>(name: string, fn: (span: Span) => T | Promise<T>, attributes?: Parameters<Span['span']>[1]): Promise<T> {
    return this.root.within(name, fn, attributes);
  }

  /** The W3C `traceparent` to send downstream: this trace, with `span` (default the root) as the parent. */
  traceparent(span: Span = this.root): string {
    const ctx = span.otel.spanContext();
    return formatTraceparent({ traceId: ctx.traceId, spanId: ctx.spanId, flags: ctx.traceFlags & TraceFlags.SAMPLED ? '01' : '00' });
  }

  /**
   * Attaches spans measured in another process under `parent` (typically the `transport` span): they
   * count in the stage metrics and, when sampled, show in the trace store. They are not exported from
   * here: the other process exports its own spans. Remote clocks may disagree with ours: when the
   * group starts before `parent`, or ends after an ended `parent`, it is shifted as a whole to fit
   * (order and durations kept) and each shifted span gets a `clock.shift_ms` attribute in the store.
   */
  addRemoteSpans(parent: Span, spans: readonly RemoteSpan[]): Span[] {
    if (parent.traceId !== this.traceId) throw new TypeError('addRemoteSpans: parent belongs to another trace');
    if (spans.length === 0) return [];
    let first = Infinity;
    let last = -Infinity;
    for (const s of spans) {
      first = Math.min(first, s.startMs);
      last = Math.max(last, s.startMs + s.durationMs);
    }
    let shift = 0;
    if (first < parent.startMs) shift = parent.startMs - first;
    const parentEnd = parent.durationMs === null ? Infinity : parent.startMs + parent.durationMs;
    if (last + shift > parentEnd) shift = Math.max(parent.startMs - first, parentEnd - last);
    const added: Span[] = [];
    const stored: SpanJson[] = [];
    for (const remote of spans) {
      const span = new Span(this, remote.name, parent.otel, false, remote.startMs + shift, true);
      span.finishAt(remote.startMs + shift, remote.durationMs);
      if (!this.adopt(span)) continue;
      added.push(span);
      if (parent.recording && this.#store) {
        const attributes = shift !== 0 ? { ...remote.attributes, 'clock.shift_ms': shift } : { ...remote.attributes };
        stored.push({ spanId: this.#newSpanId(), parentSpanId: parent.spanId, name: remote.name, startMs: span.startMs, durationMs: remote.durationMs, attributes, remote: true });
      }
    }
    if (stored.length > 0) this.#store?.addRemote(this.traceId, stored);
    return added;
  }

  /** This trace's ended spans other than the root, as a worker returns them to its caller. */
  toRemoteSpans(): RemoteSpan[] {
    const out: RemoteSpan[] = [];
    for (const s of this.#spans) {
      if (s !== this.root && s.durationMs !== null) out.push({ name: s.name, startMs: s.startMs, durationMs: s.durationMs });
    }
    return out;
  }

  /** Ends the root span and hands the trace on. Returns its duration in ms. */
  end(attributes?: Parameters<Span['end']>[0]): number {
    if (this.root.ended) return this.root.durationMs ?? 0;
    const duration = this.root.end(attributes);
    this.#onEnd(this);
    return duration;
  }

  /**
   * Names and timings of this trace's spans (attributes are the exporter's, not kept here), for the
   * stage metrics. Span ids are the OpenTelemetry ones; an unsampled span shares its parent's.
   */
  toJSON(): TraceJson {
    const spans = this.#spans.map((s): SpanJson => ({
      spanId: s.remote ? '' : s.spanId, parentSpanId: null, name: s.name, startMs: s.startMs, durationMs: s.durationMs, attributes: {}, remote: s.remote,
    }));
    const [root, ...rest] = spans;
    rest.sort((a, b) => a.startMs - b.startMs);
    return {
      traceId: this.traceId,
      rootSpanId: this.root.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      startMs: this.root.startMs,
      durationMs: this.root.durationMs,
      droppedSpans: this.#dropped,
      spans: root ? [root, ...rest] : rest,
    };
  }
}
