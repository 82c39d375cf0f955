import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace as otelTrace, type Context, type Span as OtelSpan, type Tracer as OtelTracer } from '@opentelemetry/api';
import { z } from 'zod/v4';

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export const AttributesSchema = z.record(z.string().min(1).max(256), z.union([z.string().max(4096), z.number(), z.boolean()]));

/**
 * A span measured in another process (a worker) and returned with its answer, so the caller can show
 * it under its own span in its trace store. `startMs` is epoch ms by the remote clock.
 */
export const RemoteSpanSchema = z.strictObject({
  name: z.string().min(1).max(256),
  startMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  attributes: AttributesSchema.optional(),
});
export type RemoteSpan = z.infer<typeof RemoteSpanSchema>;

/** One span as stored and served as JSON. Times are epoch ms with sub-ms precision. */
export interface SpanJson {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startMs: number;
  /** `null` while the span is open. */
  durationMs: number | null;
  attributes: Attributes;
  /** True for spans measured in another process and attached with `addRemoteSpans`. */
  remote: boolean;
}

/** What a span needs from the trace that owns it. */
export interface SpanOwner {
  readonly otelTracer: OtelTracer;
  now(): number;
  /** Records a span's timing for the trace's stage list; false when the budget is spent. */
  adopt(span: Span): boolean;
}

export type SpanKindName = 'internal' | 'server' | 'client';
const KINDS = { internal: SpanKind.INTERNAL, server: SpanKind.SERVER, client: SpanKind.CLIENT } as const;

/** @internal */
export function startOtelSpan(tracer: OtelTracer, name: string, parent: OtelSpan | Context, kind: SpanKindName, attributes: Attributes | undefined, startMs?: number): OtelSpan {
  const ctx = 'spanContext' in parent ? otelTrace.setSpan(ROOT_CONTEXT, parent) : parent;
  return tracer.startSpan(name, { kind: KINDS[kind], ...(attributes ? { attributes } : {}), ...(startMs !== undefined ? { startTime: startMs } : {}) }, ctx);
}

/**
 * A timed operation inside a trace: an OpenTelemetry span plus the few numbers the metrics need.
 * When the trace is not sampled, no OpenTelemetry span is made for it: it shares its parent's
 * non-recording one, and only its name, start and duration are kept (for the stage histograms).
 * Build attributes only when `recording` is true; `setAttributes` on an unsampled span does nothing.
 */
export class Span {
  readonly name: string;
  /** The OpenTelemetry span (a non-recording one when unsampled, shared with the parent). */
  readonly otel: OtelSpan;
  /** True when this span is sampled and will be exported and stored. */
  readonly recording: boolean;
  readonly remote: boolean;
  readonly #owner: SpanOwner;
  readonly #ownsOtel: boolean;
  #startMs: number;
  #durationMs: number | null = null;

  /** @internal Spans are made by `Trace.span`, `Span.span` and `Trace.addRemoteSpans`. */
  constructor(owner: SpanOwner, name: string, otel: OtelSpan, ownsOtel: boolean, startMs: number, remote = false) {
    this.#owner = owner;
    this.name = name;
    this.otel = otel;
    this.#ownsOtel = ownsOtel;
    this.recording = ownsOtel && otel.isRecording();
    this.remote = remote;
    this.#startMs = startMs;
  }

  get spanId(): string {
    return this.otel.spanContext().spanId;
  }

  get traceId(): string {
    return this.otel.spanContext().traceId;
  }

  get startMs(): number {
    return this.#startMs;
  }

  get durationMs(): number | null {
    return this.#durationMs;
  }

  get ended(): boolean {
    return this.#durationMs !== null;
  }

  /** @internal Ends a span whose duration was measured elsewhere. */
  finishAt(startMs: number, durationMs: number): void {
    this.#startMs = startMs;
    this.#durationMs = durationMs;
  }

  /** Sets attributes on a sampled span; nothing on an unsampled one. */
  setAttributes(attributes: Attributes): this {
    if (this.recording) this.otel.setAttributes(attributes);
    return this;
  }

  /** Marks the span failed with `error.type` (an `IM_*` code or an error name), per the semantic conventions. */
  fail(type: string): this {
    if (this.recording) {
      this.otel.setAttribute('error.type', type);
      this.otel.setStatus({ code: SpanStatusCode.ERROR });
    }
    return this;
  }

  /** Ends the span now and returns its duration in ms. Later calls return the first duration. */
  end(attributes?: Attributes): number {
    if (this.#durationMs !== null) return this.#durationMs;
    const now = this.#owner.now();
    this.#durationMs = Math.max(0, now - this.#startMs);
    if (this.recording) {
      if (attributes) this.otel.setAttributes(attributes);
      this.otel.end(now);
    }
    return this.#durationMs;
  }

  /** Starts a child span now. */
  span(name: string, attributes?: Attributes, kind: SpanKindName = 'internal'): Span {
    const now = this.#owner.now();
    const child = this.recording
      ? new Span(this.#owner, name, startOtelSpan(this.#owner.otelTracer, name, this.otel, kind, attributes, now), true, now)
      : new Span(this.#owner, name, this.otel, false, now);
    this.#owner.adopt(child);
    return child;
  }

  /**
   * Runs `fn` inside a child span and ends it when `fn` settles. A throw marks the span failed
   * (`error.type`: the error's code or name) and is rethrown.
   */
  async within<T>(name: string, fn: (span: Span) => T | Promise<T>, attributes?: Attributes): Promise<T> {
    const child = this.span(name, attributes);
    try {
      return await fn(child);
    } catch (error) {
      const e = error as { code?: unknown; name?: unknown } | null;
      child.fail(typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'unknown');
      throw error;
    } finally {
      child.end();
    }
  }
}
