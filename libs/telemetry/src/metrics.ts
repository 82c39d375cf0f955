import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod/v4';
import { parseOptions } from '@infermesh/foundation';
import type { TraceJson } from './trace.js';

/** Span names the apps use for the stages of a request; `observeStages` feeds these to `stageDuration`. */
export const STAGE_NAMES = ['cache', 'admission', 'batch-wait', 'transport', 'preprocess', 'inference', 'postprocess'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
/** Seconds: 0.5 ms to 10 s, enough to tell a cache hit from a cold batch. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const sortedPositive = z.array(z.number().positive()).min(1).refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]!), 'must be strictly increasing');

export const MetricsOptionsSchema = z.strictObject({
  /** Prepended to every metric name, the default process metrics included. */
  prefix: z.string().regex(/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/, 'must be a Prometheus name prefix').default('infermesh_'),
  /** The registry to register in; a fresh one by default, so two sets never collide. */
  registry: z.custom<Registry>((v) => v instanceof Registry, 'expected a prom-client Registry').optional(),
  /** Also collect prom-client's default process metrics (CPU, memory, event loop lag, GC). */
  defaultMetrics: z.boolean().default(true),
  latencyBuckets: sortedPositive.default([...LATENCY_BUCKETS]),
  /** The states a worker can be in; `setWorkerState` sets 1 on one and 0 on the others. */
  workerStates: z.array(z.string().min(1)).min(1).default(['healthy', 'unhealthy', 'draining']),
  /** Constant labels on every metric, e.g. `{ instance: 'coordinator-1' }`. */
  defaultLabels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
});
export type MetricsOptions = z.input<typeof MetricsOptionsSchema>;

export type RequestOutcome = string;

/** The metric set of a request-serving process, with typed handles. */
export interface Metrics {
  readonly registry: Registry;
  /** `<prefix>requests_total{model,version,outcome}` */
  readonly requests: Counter<'model' | 'version' | 'outcome'>;
  /** `<prefix>request_duration_seconds{model,version}` end to end. */
  readonly requestDuration: Histogram<'model' | 'version'>;
  /** `<prefix>stage_duration_seconds{stage}`: per trace, the time spent in each stage (its spans of that name summed). */
  readonly stageDuration: Histogram<'stage'>;
  /** `<prefix>queue_depth{model}` requests waiting for a batch or a worker. */
  readonly queueDepth: Gauge<'model'>;
  /** `<prefix>batch_size{model}` items per batch sent to a worker. */
  readonly batchSize: Histogram<'model'>;
  /** `<prefix>cache_hits_total{model}` */
  readonly cacheHits: Counter<'model'>;
  /** `<prefix>cache_misses_total{model}` */
  readonly cacheMisses: Counter<'model'>;
  /** `<prefix>worker_state{worker,state}` 1 for the worker's current state, 0 for the others. */
  readonly workerState: Gauge<'worker' | 'state'>;
  /** `<prefix>in_flight_requests` requests being served now. */
  readonly inFlight: Gauge;
  /** Sets `worker`'s state to 1 and its other known states to 0. */
  setWorkerState(worker: string, state: string): void;
  /** Removes every series of a worker that left. */
  removeWorker(worker: string): void;
  /**
   * Observes, once per stage present, the time a finished trace spent in it: the ended spans of that
   * name (see `STAGE_NAMES`) summed, so a request that waits for three batches (pre-processing, model,
   * post-processing on different processes) counts once, with its total wait.
   */
  observeStages(trace: TraceJson): void;
  /** The text exposition format, for `GET /metrics`. */
  exposition(): Promise<{ contentType: string; body: string }>;
}

/** Builds and registers the metric set. Call once per registry. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const o = parseOptions(MetricsOptionsSchema, options, 'metrics');
  const registry = o.registry ?? new Registry();
  if (Object.keys(o.defaultLabels).length > 0) registry.setDefaultLabels(o.defaultLabels);
  const p = o.prefix;
  const registers = [registry];
  if (o.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: p });

  const requests = new Counter({ name: `${p}requests_total`, help: 'Requests answered, by model, version and outcome.', labelNames: ['model', 'version', 'outcome'] as const, registers });
  const requestDuration = new Histogram({ name: `${p}request_duration_seconds`, help: 'End-to-end request latency in seconds.', labelNames: ['model', 'version'] as const, buckets: o.latencyBuckets, registers });
  const stageDuration = new Histogram({ name: `${p}stage_duration_seconds`, help: 'Latency of one stage of a request in seconds.', labelNames: ['stage'] as const, buckets: o.latencyBuckets, registers });
  const queueDepth = new Gauge({ name: `${p}queue_depth`, help: 'Requests waiting for a batch or a worker.', labelNames: ['model'] as const, registers });
  const batchSize = new Histogram({ name: `${p}batch_size`, help: 'Items per batch sent to a worker.', labelNames: ['model'] as const, buckets: [...BATCH_SIZE_BUCKETS], registers });
  const cacheHits = new Counter({ name: `${p}cache_hits_total`, help: 'Requests answered from the cache.', labelNames: ['model'] as const, registers });
  const cacheMisses = new Counter({ name: `${p}cache_misses_total`, help: 'Cache lookups that found nothing.', labelNames: ['model'] as const, registers });
  const workerState = new Gauge({ name: `${p}worker_state`, help: 'Worker state: 1 for the current state, 0 for the others.', labelNames: ['worker', 'state'] as const, registers });
  const inFlight = new Gauge({ name: `${p}in_flight_requests`, help: 'Requests being served now.', registers });
  const states = new Set(o.workerStates);
  const stages = new Set<string>(STAGE_NAMES);

  return {
    registry, requests, requestDuration, stageDuration, queueDepth, batchSize, cacheHits, cacheMisses, workerState, inFlight,
    setWorkerState(worker, state) {
      if (!states.has(state)) throw new RangeError(`unknown worker state "${state}" (known: ${[...states].join(', ')})`);
      for (const s of states) workerState.set({ worker, state: s }, s === state ? 1 : 0);
    },
    removeWorker(worker) {
      for (const s of states) workerState.remove({ worker, state: s });
    },
    observeStages(trace) {
      const totals = new Map<string, number>();
      for (const span of trace.spans) {
        if (span.durationMs !== null && stages.has(span.name)) totals.set(span.name, (totals.get(span.name) ?? 0) + span.durationMs);
      }
      for (const [stage, ms] of totals) stageDuration.observe({ stage }, ms / 1000);
    },
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
