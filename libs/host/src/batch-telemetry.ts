import type { InferBatchRequest, InferBatchResponse } from '@infermesh/contracts';
import { isSampled, parseTraceparent, type Trace, type Tracer, type WorkerMetrics } from '@infermesh/telemetry';
import type { StageTimer } from './model-host.js';

/** The most spans a worker returns with a batch (the contract's bound). */
const MAX_SPANS = 64;

/**
 * The worker's per-batch telemetry: a trace continuing the coordinator's `traceparent` whose stage
 * spans go back with the answer, and the worker's metrics (batches and their items by outcome, stage and
 * batch latency, batches in flight) when it has a metric set: a worker process serves them on its
 * `/metrics`; an embedded worker (`serveHost`) has none, as nothing would read them.
 */
export class BatchTelemetry {
  readonly #tracer: Tracer;
  readonly #metrics: WorkerMetrics | undefined;
  readonly #workerId: string | undefined;
  #inFlight = 0;

  /** `workerId` goes on the worker's spans as `infermesh.worker`; without `metrics`, batches are traced only. */
  constructor(tracer: Tracer, metrics: WorkerMetrics | undefined, workerId?: string) {
    this.#tracer = tracer;
    this.#metrics = metrics;
    this.#workerId = workerId;
  }

  /**
   * Runs one batch with a stage timer and returns its answer, with the worker's spans when the request was
   * traced. An embedded worker (no metric set) given a `traceparent` its caller did not sample runs the
   * batch with no trace and no timer (`stages` undefined): its spans would be neither returned nor exported
   * (its sampler comes from the same process environment as the caller's, which decided alike), and the
   * caller takes the stage times from the answer's `timings`. That trace cost about 7 µs per batch.
   */
  async run(request: InferBatchRequest, infer: (stages: StageTimer | undefined) => Promise<InferBatchResponse>): Promise<InferBatchResponse> {
    if (this.#metrics === undefined) {
      const parent = parseTraceparent(request.traceparent);
      if (parent !== undefined && !isSampled(parent)) return infer(undefined);
    }
    const trace = this.#tracer.start('worker infer', { traceparent: request.traceparent });
    // Attributes are built only for a sampled batch: an unsampled one pays for no span.
    if (trace.recording) {
      trace.root.setAttributes({
        'infermesh.model': request.model, 'infermesh.version': request.version, 'infermesh.stage': request.stage,
        'infermesh.batch_size': request.items.length, ...(this.#workerId !== undefined ? { 'infermesh.worker': this.#workerId } : {}),
      });
    }
    const metrics = this.#metrics;
    metrics?.batchesInFlight.set(++this.#inFlight);
    let response: InferBatchResponse | undefined;
    let failure = 'IM_WORKER_RUNTIME';
    try {
      response = await infer({ start: (stage) => trace.span(stage) });
      // The caller shows our stages in its trace store only for a sampled trace; it exports nothing of ours
      // (this process exports its own spans).
      return request.traceparent === undefined || !trace.parentSampled ? response : { ...response, spans: trace.toRemoteSpans().slice(0, MAX_SPANS) };
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      if (typeof code === 'string' && code.startsWith('IM_')) failure = code;
      throw error;
    } finally {
      const seconds = trace.end() / 1000;
      if (metrics) {
        metrics.batchesInFlight.set(--this.#inFlight);
        this.#observe(metrics, request, seconds, trace, response, failure);
      }
    }
  }

  /** A finished batch in the metrics: its size, time, stages, outcome and its items' outcomes. */
  #observe(metrics: WorkerMetrics, request: InferBatchRequest, seconds: number, trace: Trace, response: InferBatchResponse | undefined, failure: string): void {
    const { model, version } = request;
    const labels = { model, version };
    metrics.batchSize.observe(labels, request.items.length);
    metrics.batchDuration.observe(labels, seconds);
    metrics.observeStages(labels, trace);
    // Label objects are written out, not spread (prom-client hashes a spread copy about 5× slower), and
    // the answered items are counted once per batch, not once each.
    metrics.batches.inc({ model, version, outcome: response ? 'ok' : failure });
    if (!response) {
      metrics.batchItems.inc({ model, version, outcome: failure }, request.items.length);
      return;
    }
    let ok = 0;
    for (const item of response.items) {
      if (item.ok) ok++;
      else metrics.batchItems.inc({ model, version, outcome: item.error.code });
    }
    if (ok > 0) metrics.batchItems.inc({ model, version, outcome: 'ok' }, ok);
  }
}
