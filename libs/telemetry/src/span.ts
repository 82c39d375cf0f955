import { z } from 'zod/v4';

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export const AttributesSchema = z.record(z.string().min(1).max(256), z.union([z.string().max(4096), z.number(), z.boolean()]));

/**
 * A span measured in another process (a worker) and returned with its answer, so the caller can hang
 * it under its own span. `startMs` is epoch ms by the remote clock.
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
  readonly traceId: string;
  now(): number;
  newSpanId(): string;
  /** Records a new span; false when the trace's span budget is spent (the span still works, unrecorded). */
  adopt(span: Span): boolean;
}

export interface SpanInit {
  name: string;
  parentSpanId: string | null;
  startMs: number;
  attributes?: Attributes | undefined;
  remote?: boolean;
}

/** A timed operation inside a trace. End it exactly once; a second `end` changes nothing. */
export class Span {
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly remote: boolean;
  readonly #owner: SpanOwner;
  #startMs: number;
  #durationMs: number | null = null;
  readonly #attributes: Attributes;

  /** @internal Spans are made by `Trace.span`, `Span.span` and `Trace.addRemoteSpans`. */
  constructor(owner: SpanOwner, init: SpanInit) {
    this.#owner = owner;
    this.spanId = owner.newSpanId();
    this.parentSpanId = init.parentSpanId;
    this.name = init.name;
    this.remote = init.remote ?? false;
    this.#startMs = init.startMs;
    this.#attributes = { ...init.attributes };
  }

  get traceId(): string {
    return this.#owner.traceId;
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

  setAttributes(attributes: Attributes): this {
    Object.assign(this.#attributes, attributes);
    return this;
  }

  /** Ends the span now and returns its duration in ms. Later calls return the first duration. */
  end(attributes?: Attributes): number {
    if (this.#durationMs !== null) return this.#durationMs;
    if (attributes) this.setAttributes(attributes);
    this.#durationMs = Math.max(0, this.#owner.now() - this.#startMs);
    return this.#durationMs;
  }

  /** Starts a child span now. */
  span(name: string, attributes?: Attributes): Span {
    const child = new Span(this.#owner, { name, parentSpanId: this.spanId, startMs: this.#owner.now(), attributes });
    this.#owner.adopt(child);
    return child;
  }

  /**
   * Runs `fn` inside a child span and ends it when `fn` settles. A throw marks the span with
   * `error: true` and `error.type`, and is rethrown.
   */
  async within<T>(name: string, fn: (span: Span) => T | Promise<T>, attributes?: Attributes): Promise<T> {
    const child = this.span(name, attributes);
    try {
      return await fn(child);
    } catch (error) {
      const e = error as { code?: unknown; name?: unknown } | null;
      const type = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'unknown';
      child.setAttributes({ error: true, 'error.type': type });
      throw error;
    } finally {
      child.end();
    }
  }

  toJSON(): SpanJson {
    return {
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      startMs: this.#startMs,
      durationMs: this.#durationMs,
      attributes: { ...this.#attributes },
      remote: this.remote,
    };
  }
}
