import { API_ERRORS, GRPC_STATUS, isApiErrorCode, type BatchTimings, type WorkerSpan } from '@infermesh/contracts';
import type { AccessLog, Attributes, DashboardSampler, Metrics, Span, Trace, Tracer } from '@infermesh/telemetry';

/** Where a request came in: what its access-log line and its root span's semantic-convention attributes say. */
export interface RequestEdge {
  protocol: 'http' | 'grpc' | 'ws';
  /** HTTP method, gRPC method (`ModelInfer`), or WebSocket frame type (`infer`). */
  method: string;
  /** HTTP route template, gRPC full method, WebSocket path. */
  route: string;
  /** The request's path (HTTP, WebSocket). */
  path?: string | undefined;
}

/** The lane and batch a transport span records. */
export interface LaneTrace {
  model: string;
  version: string;
  stage: string;
  /** The lane's label (`model:version@stage#shard`). */
  name: string;
  batchSize: number;
}

const GRPC_SERVICE = 'inference.GRPCInferenceService';

/** The root span's attributes per the OpenTelemetry semantic conventions (HTTP server, RPC), built only when sampled. */
function edgeAttributes(edge: RequestEdge): Attributes {
  switch (edge.protocol) {
    case 'http':
      return { 'http.request.method': edge.method, 'http.route': edge.route, ...(edge.path !== undefined ? { 'url.path': edge.path } : {}) };
    case 'grpc':
      return { 'rpc.system': 'grpc', 'rpc.service': GRPC_SERVICE, 'rpc.method': edge.method };
    case 'ws':
      return { 'network.protocol.name': 'websocket', 'infermesh.ws.frame': edge.method, ...(edge.path !== undefined ? { 'url.path': edge.path } : {}) };
  }
}

/** A batch's stage timings as consecutive stage records starting at `startMs`. */
function stagesOf(timings: BatchTimings, startMs: number): WorkerSpan[] {
  const out: WorkerSpan[] = [];
  let at = startMs;
  for (const [name, ms] of [['preprocess', timings.preprocessMs], ['inference', timings.inferenceMs], ['postprocess', timings.postprocessMs]] as const) {
    if (ms === undefined) continue;
    out.push({ name, startMs: at, durationMs: ms });
    at += ms;
  }
  return out;
}

/** HTTP status an outcome is answered with (for WebSocket: the status the same answer has over HTTP). */
function httpStatusOf(outcome: string): number {
  if (outcome === 'ok') return 200;
  return isApiErrorCode(outcome) ? API_ERRORS[outcome].http : 500;
}

function grpcStatusOf(outcome: string): number {
  if (outcome === 'ok') return GRPC_STATUS.OK;
  return isApiErrorCode(outcome) ? GRPC_STATUS[API_ERRORS[outcome].grpc] : GRPC_STATUS.INTERNAL;
}

/**
 * One request's trace and the labels its metrics need, filled in along the request path. The
 * stage methods keep the span bookkeeping out of the inference code: each is a few field writes.
 */
export class RequestTrace {
  readonly trace: Trace;
  readonly edge: RequestEdge;
  /** `unknown` until the model resolves, so a client's typo cannot add a label value. */
  model = 'unknown';
  version = '';
  cache: 'hit' | 'miss' | undefined;
  #cacheSpan: Span | undefined;
  #batchWait: Span | undefined;
  #transport: Span | undefined;

  constructor(trace: Trace, edge: RequestEdge) {
    this.trace = trace;
    this.edge = edge;
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
    const span = this.#cacheSpan;
    if (!span) return;
    if (span.recording) span.end({ 'infermesh.cache': hit ? 'hit' : 'miss' });
    else span.end();
  }

  /** The request entered the batcher's queue. */
  queued(): void {
    this.#batchWait = this.trace.span('batch-wait');
  }

  /**
   * Its batch left for a worker: the wait ends, the transport span starts. Returns the traceparent to
   * send. `lane` names the lane (`model:version/stage`), `batchSize` the items in the batch.
   */
  dispatched(lane?: LaneTrace): string {
    const wait = this.#batchWait;
    const waitMs = wait ? wait.end() : 0;
    const transport = this.trace.span('transport', undefined, 'client');
    if (transport.recording && lane) {
      transport.setAttributes({
        'infermesh.model': lane.model, 'infermesh.version': lane.version, 'infermesh.stage': lane.stage, 'infermesh.lane': lane.name,
        'infermesh.batch_size': lane.batchSize, 'infermesh.queue_wait_ms': waitMs,
      });
    }
    this.#transport = transport;
    return this.trace.traceparent(transport);
  }


  /**
   * The worker answered: its spans hang under the transport span. A worker returns spans only for a
   * sampled trace; for any other the batch's `timings` stand in as stage records (numbers, no SDK span),
   * so the compute histograms and the dashboard see every request whatever the sampling.
   */
  answered(spans: readonly WorkerSpan[] | undefined, worker?: string, timings?: BatchTimings): void {
    const transport = this.#transport;
    if (!transport) return;
    if (worker !== undefined && transport.recording) transport.setAttributes({ 'infermesh.worker': worker });
    // End first, so a worker clock slightly ahead of ours is shifted into the span rather than past it.
    transport.end();
    if (spans && spans.length > 0) this.trace.addRemoteSpans(transport, spans);
    else if (timings) this.trace.addRemoteSpans(transport, stagesOf(timings, transport.startMs));
  }

  /** The request left the batching stage (answered, coalesced with another, refused or failed). */
  settled(): void {
    this.#batchWait?.end();
    const transport = this.#transport;
    if (transport && !transport.ended) transport.fail('IM_WORKER_FAILED').end();
  }
}

export interface RequestTelemetryOptions {
  tracer: Tracer;
  metrics: Metrics;
  sampler: DashboardSampler;
  /** Writes one line per request; none when absent. */
  accessLog?: AccessLog | undefined;
}

/**
 * The per-request glue between the coordinator and @infermesh/telemetry: starts a request's trace,
 * and when it finishes, ends the trace and records it in the metrics and the dashboard sampler.
 */
export class RequestTelemetry {
  readonly #tracer: Tracer;
  readonly #metrics: Metrics;
  readonly #sampler: DashboardSampler;
  readonly #accessLog: AccessLog | undefined;

  constructor(options: RequestTelemetryOptions) {
    this.#tracer = options.tracer;
    this.#metrics = options.metrics;
    this.#sampler = options.sampler;
    this.#accessLog = options.accessLog;
  }

  /** Where requests that are not traced (health, metadata, refusals before the handler) log their line. */
  get accessLog(): AccessLog | undefined {
    return this.#accessLog;
  }

  /** A new request; `traceparent` (the incoming header) is continued when valid. */
  start(name: string, edge: RequestEdge, traceparent?: string | readonly string[]): RequestTrace {
    const trace = this.#tracer.start(name, traceparent === undefined ? {} : { traceparent });
    if (trace.recording) trace.root.setAttributes(edgeAttributes(edge));
    return new RequestTrace(trace, edge);
  }

  /** The request is answered: `outcome` is `ok` or the error code the client got. */
  finish(request: RequestTrace, outcome: string): void {
    const { trace, edge } = request;
    const httpStatus = httpStatusOf(outcome);
    const status = edge.protocol === 'grpc' ? grpcStatusOf(outcome) : httpStatus;
    if (trace.recording) {
      trace.root.setAttributes({
        [edge.protocol === 'grpc' ? 'rpc.grpc.status_code' : 'http.response.status_code']: status,
        'infermesh.outcome': outcome,
        ...(request.model !== 'unknown' ? { 'infermesh.model': request.model, 'infermesh.version': request.version } : {}),
        ...(request.cache !== undefined ? { 'infermesh.cache': request.cache } : {}),
      });
      if (outcome !== 'ok') trace.root.fail(outcome);
    }
    const durationMs = trace.end();
    this.#accessLog?.record({
      protocol: edge.protocol, method: edge.method, route: edge.route, model: request.model === 'unknown' ? undefined : request.model,
      status, code: outcome, duration_ms: Math.round(durationMs * 1000) / 1000, trace_id: trace.traceId,
    }, httpStatus >= 500);
    const labels = { model: request.model, version: request.version };
    // Label objects are written out, not spread: prom-client hashes a spread copy about 5× slower (1.5 µs).
    this.#metrics.requests.inc({ model: request.model, version: request.version, outcome });
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
    const { queueMs, computeMs } = this.#metrics.observeStages(labels, request.trace);
    this.#sampler.recordRequest({ model: request.model, outcome, latencyMs: durationMs, queueMs, computeMs });
  }
}
