import { Span, type Attributes, type RemoteSpan, type SpanJson, type SpanOwner } from './span.js';
import { formatTraceparent } from './trace-context.js';

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
  name: string;
  traceId: string;
  parentSpanId: string | null;
  flags: string;
  attributes?: Attributes | undefined;
  maxSpans: number;
  now: () => number;
  newSpanId: () => string;
  onEnd: (trace: Trace) => void;
}

/**
 * The spans of one request in this process. The root span opens with the trace and closes with
 * `end()`, which hands the trace to the store and exporter.
 */
export class Trace {
  readonly traceId: string;
  readonly name: string;
  /** The incoming caller span, or `null`. */
  readonly parentSpanId: string | null;
  readonly flags: string;
  readonly root: Span;
  readonly #spans: Span[] = [];
  readonly #maxSpans: number;
  readonly #onEnd: (trace: Trace) => void;
  readonly #owner: SpanOwner;
  #dropped = 0;

  /** @internal Made by `Tracer.start`. */
  constructor(init: TraceInit) {
    this.traceId = init.traceId;
    this.name = init.name;
    this.parentSpanId = init.parentSpanId;
    this.flags = init.flags;
    this.#maxSpans = init.maxSpans;
    this.#onEnd = init.onEnd;
    const owner: SpanOwner = {
      traceId: init.traceId,
      now: init.now,
      newSpanId: init.newSpanId,
      adopt: (span) => {
        if (this.#spans.length >= this.#maxSpans) {
          this.#dropped++;
          return false;
        }
        this.#spans.push(span);
        return true;
      },
    };
    this.root = new Span(owner, { name: init.name, parentSpanId: init.parentSpanId, startMs: init.now(), attributes: init.attributes });
    owner.adopt(this.root);
    this.#owner = owner;
  }

  get ended(): boolean {
    return this.root.ended;
  }

  /** Starts a span under the root. Nest with `span.span(...)` or `span.within(...)`. */
  span(name: string, attributes?: Attributes): Span {
    return this.root.span(name, attributes);
  }

  /** Runs `fn` in a span under the root, ended when `fn` settles (see `Span.within`). */
  within<T>(name: string, fn: (span: Span) => T | Promise<T>, attributes?: Attributes): Promise<T> {
    return this.root.within(name, fn, attributes);
  }

  /** The `traceparent` to send downstream: this trace, with `span` (default the root) as the parent. */
  traceparent(span: Span = this.root): string {
    return formatTraceparent({ traceId: this.traceId, spanId: span.spanId, flags: this.flags });
  }

  /**
   * Attaches spans measured in another process under `parent` (typically the `transport` span).
   * Remote clocks may disagree with ours: when the group starts before `parent`, or ends after an
   * ended `parent`, it is shifted as a whole to fit (order and durations kept) and each shifted span
   * gets a `clock.shift_ms` attribute.
   */
  addRemoteSpans(parent: Span, spans: readonly RemoteSpan[]): Span[] {
    if (parent.traceId !== this.traceId) throw new TypeError('addRemoteSpans: parent belongs to another trace');
    if (spans.length === 0) return [];
    const first = Math.min(...spans.map((s) => s.startMs));
    const last = Math.max(...spans.map((s) => s.startMs + s.durationMs));
    let shift = 0;
    if (first < parent.startMs) shift = parent.startMs - first;
    const parentEnd = parent.durationMs === null ? Infinity : parent.startMs + parent.durationMs;
    if (last + shift > parentEnd) shift = Math.max(parent.startMs - first, parentEnd - last);
    const added: Span[] = [];
    for (const remote of spans) {
      const attributes = shift !== 0 ? { ...remote.attributes, 'clock.shift_ms': shift } : remote.attributes;
      const span = new Span(this.#owner, { name: remote.name, parentSpanId: parent.spanId, startMs: 0, attributes, remote: true });
      span.finishAt(remote.startMs + shift, remote.durationMs);
      if (this.#owner.adopt(span)) added.push(span);
    }
    return added;
  }

  /**
   * This trace's ended spans other than the root, as a worker returns them to its caller.
   * Nesting below the root is flattened.
   */
  toRemoteSpans(): RemoteSpan[] {
    return this.#spans
      .filter((s) => s !== this.root && s.durationMs !== null)
      .map((s) => {
        const json = s.toJSON();
        return { name: json.name, startMs: json.startMs, durationMs: json.durationMs ?? 0, attributes: json.attributes };
      });
  }

  /** Ends the root span and hands the trace on. Spans still open stay open in the JSON (duration `null`). */
  end(attributes?: Attributes): number {
    if (this.root.ended) return this.root.durationMs ?? 0;
    const duration = this.root.end(attributes);
    this.#onEnd(this);
    return duration;
  }

  toJSON(): TraceJson {
    const [root, ...rest] = this.#spans.map((s) => s.toJSON());
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
