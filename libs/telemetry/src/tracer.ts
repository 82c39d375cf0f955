import { ROOT_CONTEXT, TraceFlags, trace as otelTrace, type Tracer as OtelTracer } from '@opentelemetry/api';
import { AlwaysOffSampler, BasicTracerProvider, RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod/v4';
import { fn, parseOptions } from '@infermesh/foundation';
import type { Attributes, SpanKindName } from './span.js';
import { Trace } from './trace.js';
import { parseTraceparent } from './trace-context.js';
import type { TraceStore } from './trace-store.js';

/** Something told when a trace ends (a metrics hook). `export` must not block. */
export interface TraceSink {
  export(trace: Trace): void;
}

/** Epoch ms with sub-ms precision, monotonic within the process. */
export const performanceClock = (): number => performance.timeOrigin + performance.now();

/** The library's instrumentation scope name, as the exporter reports it. */
export const INSTRUMENTATION_SCOPE = '@infermesh/telemetry';

/**
 * The tracer of a `Tracer` built without one: an SDK provider that samples nothing and has no span
 * processor. It still makes real trace and span ids (a request id, a `traceparent` to answer with),
 * which the API's no-op tracer would not.
 */
let unsampled: OtelTracer | undefined;
function unsampledTracer(): OtelTracer {
  unsampled ??= new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer(INSTRUMENTATION_SCOPE);
  return unsampled;
}

const isOtelTracer = (v: unknown): v is OtelTracer => typeof v === 'object' && v !== null && typeof (v as OtelTracer).startSpan === 'function';

export const TracerOptionsSchema = z.strictObject({
  /** The OpenTelemetry tracer spans are made with (from `createTracing`, or any provider's `getTracer`). */
  tracer: z.custom<OtelTracer>(isOtelTracer, 'expected an OpenTelemetry Tracer').optional(),
  /** Now, in epoch ms with sub-ms precision. */
  clock: fn<() => number>().default(() => performanceClock),
  /** Spans kept per trace beyond the root for the stage metrics; more are counted in `droppedSpans`. */
  maxSpansPerTrace: z.int().min(1).max(100_000).default(512),
  /** Where spans measured by another process are shown (the same store the provider feeds). */
  store: z.custom<TraceStore>((v) => typeof v === 'object' && v !== null && typeof (v as TraceStore).addRemote === 'function', 'expected a TraceStore').optional(),
  /** Told of each trace when it ends. */
  sinks: z.array(z.custom<TraceSink>((v) => typeof v === 'object' && v !== null && typeof (v as TraceSink).export === 'function', 'expected { export(trace) }')).default([]),
});
export type TracerOptions = z.input<typeof TracerOptionsSchema>;

export interface StartOptions {
  /** The incoming `traceparent` header; continued when valid, ignored (new trace) when not. */
  traceparent?: string | readonly string[] | undefined;
  /** Attributes of the root span; build them only when tracing is on (they are dropped when unsampled). */
  attributes?: Attributes;
  /** `server` for a request received (the default), `internal` otherwise. */
  kind?: SpanKindName;
}

/** Starts one trace per request, continuing the caller's W3C trace when it sent one. */
export class Tracer {
  readonly #otel: OtelTracer;
  readonly #clock: () => number;
  readonly #maxSpans: number;
  readonly #store: TraceStore | undefined;
  readonly #sinks: TraceSink[];
  readonly #ids = new RandomIdGenerator();
  readonly #newSpanId = (): string => this.#ids.generateSpanId();
  readonly #onEnd = (trace: Trace): void => {
    for (const sink of this.#sinks) sink.export(trace);
  };

  constructor(options: TracerOptions = {}) {
    const o = parseOptions(TracerOptionsSchema, options, 'tracer');
    this.#otel = o.tracer ?? unsampledTracer();
    this.#clock = o.clock;
    this.#maxSpans = o.maxSpansPerTrace + 1;
    this.#store = o.store;
    this.#sinks = o.sinks;
  }

  /** Starts a trace whose root span is named `name` (e.g. `POST /v2/models/:name/infer`). */
  start(name: string, options: StartOptions = {}): Trace {
    const incoming = parseTraceparent(options.traceparent);
    const flags = incoming ? Number.parseInt(incoming.flags, 16) : TraceFlags.SAMPLED;
    const parentContext = incoming
      ? otelTrace.setSpanContext(ROOT_CONTEXT, { traceId: incoming.traceId, spanId: incoming.spanId, traceFlags: flags, isRemote: true })
      : ROOT_CONTEXT;
    return new Trace({
      otelTracer: this.#otel,
      now: this.#clock,
      name,
      kind: options.kind ?? 'server',
      attributes: options.attributes,
      parentContext,
      parentSpanId: incoming?.spanId ?? null,
      parentSampled: (flags & TraceFlags.SAMPLED) !== 0,
      maxSpans: this.#maxSpans,
      store: this.#store,
      newSpanId: this.#newSpanId,
      onEnd: this.#onEnd,
    });
  }
}
