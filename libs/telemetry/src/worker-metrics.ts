import { Gauge, type Registry } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from './labelled-metrics.js';
import { parseOptions } from '@infermesh/foundation';
import { BATCH_SIZE_BUCKETS, metricsRegistry, MetricsOptionsSchema, stageTotals, type MetricsOptions, type StageTimings, type ModelLabels } from './metrics.js';

/**
 * A worker's metric set. A worker sees batches, not client requests, so its names say so
 * (`<prefix>worker_batches_total`, `<prefix>worker_batch_items_total`): summed with the coordinator's
 * `requests_total` in one Prometheus, nothing is counted twice under one name.
 */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** `<prefix>worker_batches_total{model,version,outcome}` batches run: `ok` when answered, else the error code. */
  readonly batches: LabelledCounter<'model' | 'version' | 'outcome'>;
  /** `<prefix>worker_batch_items_total{model,version,outcome}` items of those batches, by their own outcome. */
  readonly batchItems: LabelledCounter<'model' | 'version' | 'outcome'>;
  /** `<prefix>worker_batch_duration_seconds{model,version}` one batch, received to answered. */
  readonly batchDuration: LabelledHistogram<'model' | 'version'>;
  /** `<prefix>worker_stage_duration_seconds{model,version,stage}` per batch, time in preprocess, inference, postprocess. */
  readonly stageDuration: LabelledHistogram<'model' | 'version' | 'stage'>;
  /** `<prefix>worker_batch_size{model,version}` items per batch. */
  readonly batchSize: LabelledHistogram<'model' | 'version'>;
  /** `<prefix>worker_batches_in_flight` batches running now. */
  readonly batchesInFlight: Gauge;
  /** Observes the stages of a finished batch's trace. */
  observeStages(labels: ModelLabels, trace: StageTimings): void;
  exposition(): Promise<{ contentType: string; body: string }>;
}

/** Builds and registers a worker's metric set (options as `createMetrics`; `workerStates` is unused). */
export function createWorkerMetrics(options: MetricsOptions = {}): WorkerMetrics {
  const o = parseOptions(MetricsOptionsSchema, options, 'worker metrics');
  const registry = metricsRegistry(o);
  const p = `${o.prefix}worker_`;
  const registers = [registry];
  const mv = ['model', 'version'] as const;
  const mvo = ['model', 'version', 'outcome'] as const;
  const batches = new LabelledCounter({ name: `${p}batches_total`, help: 'Batches run, by outcome: ok when answered, else the error code.', labelNames: mvo, registers });
  const batchItems = new LabelledCounter({ name: `${p}batch_items_total`, help: 'Items of the batches run, by their outcome.', labelNames: mvo, registers });
  const batchDuration = new LabelledHistogram({ name: `${p}batch_duration_seconds`, help: 'Time to run one batch, received to answered, in seconds.', labelNames: mv, buckets: o.latencyBuckets, registers });
  const stageDuration = new LabelledHistogram({ name: `${p}stage_duration_seconds`, help: 'Time one batch spent in a stage, in seconds.', labelNames: ['model', 'version', 'stage'] as const, buckets: o.latencyBuckets, registers });
  const batchSize = new LabelledHistogram({ name: `${p}batch_size`, help: 'Items per batch run.', labelNames: mv, buckets: [...BATCH_SIZE_BUCKETS], registers });
  const batchesInFlight = new Gauge({ name: `${p}batches_in_flight`, help: 'Batches running now.', registers });
  return {
    registry, batches, batchItems, batchDuration, stageDuration, batchSize, batchesInFlight,
    observeStages(labels, trace) {
      for (const [stage, ms] of stageTotals(trace)) stageDuration.observe({ model: labels.model, version: labels.version, stage }, ms / 1000);
    },
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
