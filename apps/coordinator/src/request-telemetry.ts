import type { WorkerSpan } from '@infermesh/contracts';
import type { DashboardSampler, Metrics, Span, Trace, Tracer } from '@infermesh/telemetry';

/**
 * One request's trace and the labels its metrics need, filled in along the request path. The
 * stage methods keep the span bookkeeping out of the inference code: each is a few field writes.
 */
export class RequestTrace {
  readonly trace: Trace;
  /** `unknown` until the model resolves, so a client's typo cannot add a label value. */
  model = 'unknown';
  version = '';
  cache: 'hit' | 'miss' | undefined;
  #cacheSpan: Span | undefined;
  #batchWait: Span | undefined;
  #transport: Span | undefined;

  constructor(trace: Trace) {
    this.trace = trace;
  }

  get traceId(): string {
    return this.trace.traceId;
  }

  /** The `traceparent` answered to the client: this trace with its root span as the parent. */
  get traceparent(): string {
    return this.trace.traceparent();
  }

  resolved(model: string, version: string): void {
    this.model = model;
    this.version = version;
  }

  /** Runs the admission check in its span. */
  admission(check: () => void): void {
    const span = this.trace.span('admission');
    try {
      check();
    } finally {
      span.end();
    }
  }

  /** The cache lookup starts; it ends with `cacheLookedUp`, or when the computation starts (a miss). */
  cacheLookup(): void {
    this.#cacheSpan = this.trace.span('cache');
  }

  cacheLookedUp(hit: boolean): void {
    this.cache ??= hit ? 'hit' : 'miss';
    this.#cacheSpan?.end({ hit });
  }

  /** The request entered the batcher's queue. */
  queued(): void {
    this.#batchWait = this.trace.span('batch-wait');
  }

  /** Its batch left for a worker: the wait ends, the transport span starts. Returns the traceparent to send. */
  dispatched(): string {
    this.#batchWait?.end();
    this.#transport = this.trace.span('transport');
    return this.trace.traceparent(this.#transport);
  }

  /** The worker answered: its spans hang under the transport span. */
  answered(spans: readonly WorkerSpan[] | undefined): void {
    const transport = this.#transport;
    if (!transport) return;
    // End first, so a worker clock slightly ahead of ours is shifted into the span rather than past it.
    transport.end();
    if (spans && spans.length > 0) this.trace.addRemoteSpans(transport, spans);
  }

  /** The request left the batching stage (answered, coalesced with another, refused or failed). */
  settled(): void {
    this.#batchWait?.end();
    this.#transport?.end({ error: true });
  }
}

export interface RequestTelemetryOptions {
  tracer: Tracer;
  metrics: Metrics;
  sampler: DashboardSampler;
}

/**
 * The per-request glue between the coordinator and @infermesh/telemetry: starts a request's trace,
 * and when it finishes, ends the trace and records it in the metrics and the dashboard sampler.
 */
export class RequestTelemetry {
  readonly #tracer: Tracer;
  readonly #metrics: Metrics;
  readonly #sampler: DashboardSampler;

  constructor(options: RequestTelemetryOptions) {
    this.#tracer = options.tracer;
    this.#metrics = options.metrics;
    this.#sampler = options.sampler;
  }

  /** A new request; `traceparent` (the incoming header) is continued when valid. */
  start(name: string, traceparent?: string | readonly string[]): RequestTrace {
    return new RequestTrace(this.#tracer.start(name, traceparent === undefined ? {} : { traceparent }));
  }

  /** The request is answered: `outcome` is `ok` or the error code the client got. */
  finish(request: RequestTrace, outcome: string): void {
    const durationMs = request.trace.end({ outcome });
    const labels = { model: request.model, version: request.version };
    this.#metrics.requests.inc({ ...labels, outcome });
    if (request.cache !== undefined) {
      const hit = request.cache === 'hit';
      (hit ? this.#metrics.cacheHits : this.#metrics.cacheMisses).inc({ model: request.model });
      this.#sampler.recordCache(request.model, hit);
    }
    // A request whose model never resolved did no work; its latency would only blur the histograms.
    if (request.model === 'unknown') {
      this.#sampler.recordRequest({ model: request.model, outcome, latencyMs: durationMs });
      return;
    }
    this.#metrics.requestDuration.observe(labels, durationMs / 1000);
    const { queueMs, computeMs } = this.#metrics.observeStages(labels, request.trace.toJSON());
    this.#sampler.recordRequest({ model: request.model, outcome, latencyMs: durationMs, queueMs, computeMs });
  }
}
