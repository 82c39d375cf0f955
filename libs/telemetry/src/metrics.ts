import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { z } from 'zod/v4';
import { parseOptions } from '@infermesh/foundation';
import { LabelledCounter, LabelledHistogram } from './labelled-metrics.js';

/** Span names the apps use for the stages of a request; `stageTotals` sums these per trace. */
export const STAGE_NAMES = ['cache', 'admission', 'batch-wait', 'transport', 'preprocess', 'inference', 'postprocess'] as const;
export type StageName = (typeof STAGE_NAMES)[number];
/** The stages that are a worker's work on the request: their sum is its compute time. */
export const COMPUTE_STAGES: readonly StageName[] = ['preprocess', 'inference', 'postprocess'];
/** The stage that is waiting for a batch to leave: its total is the request's queue wait. */
export const QUEUE_STAGE: StageName = 'batch-wait';

export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256] as const;
/** Seconds: 0.5 ms to 10 s, enough to tell a cache hit from a cold batch. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * prom-client's default collectors name three gauges `nodejs_active_{handles,requests,resources}_total`:
 * a `_total` suffix is for counters, so `promtool check metrics` exits 3 on them. The same counts stay,
 * by type, in `nodejs_active_{handles,requests,resources}{type}` (sum them for the total), so these
 * three are simply not registered.
 */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

const sortedPositive = z.array(z.number().positive()).min(1).refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]!), 'must be strictly increasing');

export const MetricsOptionsSchema = z.strictObject({
  /** Prepended to every metric name, the default process metrics included. */
  prefix: z.string().regex(/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/, 'must be a Prometheus name prefix').default('infermesh_'),
  /** The registry to register in; a fresh one by default, so two sets never collide. */
  registry: z.custom<Registry>((v) => v instanceof Registry, 'expected a prom-client Registry').optional(),
  /** Also collect prom-client's default process metrics (CPU, memory, event loop lag, GC), but the three misnamed ones. */
  defaultMetrics: z.boolean().default(true),
  latencyBuckets: sortedPositive.default([...LATENCY_BUCKETS]),
  /** The states a worker can be in; `setWorkerState` sets 1 on one and 0 on the others. */
  workerStates: z.array(z.string().min(1)).min(1).default(['healthy', 'unhealthy', 'draining']),
  /** Constant labels on every metric, e.g. `{ instance: 'coordinator-1' }`. */
  defaultLabels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
});
export type MetricsOptions = z.input<typeof MetricsOptionsSchema>;
type ParsedMetricsOptions = z.output<typeof MetricsOptionsSchema>;

/** What the stage metrics read of a trace: its spans' names and durations (a `Trace`, or its `TraceJson`). */
export interface StageTimings {
  readonly spans: Iterable<{ readonly name: string; readonly durationMs: number | null }>;
}

const STAGES: ReadonlySet<string> = new Set(STAGE_NAMES);

/** Per trace, the time in each stage present: its ended spans of that name summed, in ms. */
export function stageTotals(trace: StageTimings): Map<StageName, number> {
  const totals = new Map<StageName, number>();
  for (const span of trace.spans) {
    if (span.durationMs !== null && STAGES.has(span.name)) {
      const stage = span.name as StageName;
      totals.set(stage, (totals.get(stage) ?? 0) + span.durationMs);
    }
  }
  return totals;
}

/** Queue wait and compute of a request, ms; `null` where it had no such stage (a cache hit has neither). */
export function queueAndCompute(totals: ReadonlyMap<StageName, number>): { queueMs: number | null; computeMs: number | null } {
  const present = COMPUTE_STAGES.filter((s) => totals.has(s));
  return {
    queueMs: totals.get(QUEUE_STAGE) ?? null,
    computeMs: present.length > 0 ? present.reduce((sum, s) => sum + totals.get(s)!, 0) : null,
  };
}

/** A registry with the default labels and the (well-named) default process metrics; shared by both metric sets. */
export function metricsRegistry(o: ParsedMetricsOptions): Registry {
  const registry = o.registry ?? new Registry();
  if (Object.keys(o.defaultLabels).length > 0) registry.setDefaultLabels(o.defaultLabels);
  if (o.defaultMetrics) {
    const scratch = new Registry();
    collectDefaultMetrics({ register: scratch, prefix: o.prefix });
    const skip = new Set<string>(MISNAMED_DEFAULT_METRICS.map((n) => `${o.prefix}${n}`));
    for (const { name } of scratch.getMetricsAsArray()) {
      const metric = scratch.getSingleMetric(name);
      if (metric && !skip.has(name)) registry.registerMetric(metric);
    }
  }
  return registry;
}

export type ModelLabels = { model: string; version: string };

/** The metric set of the coordinator (a request-serving process), with typed handles. */
export interface Metrics {
  readonly registry: Registry;
  /** `<prefix>requests_total{model,version,outcome}` requests answered to clients. */
  readonly requests: LabelledCounter<'model' | 'version' | 'outcome'>;
  /** `<prefix>request_duration_seconds{model,version}` end to end. */
  readonly requestDuration: LabelledHistogram<'model' | 'version'>;
  /** `<prefix>queue_wait_seconds{model,version}` time waiting for a batch to leave (the batch-wait stage). */
  readonly queueWait: LabelledHistogram<'model' | 'version'>;
  /** `<prefix>compute_seconds{model,version}` the worker's work on the request (pre-processing, inference, post-processing). */
  readonly compute: LabelledHistogram<'model' | 'version'>;
  /** `<prefix>stage_duration_seconds{model,version,stage}`: per request, the time spent in each stage. */
  readonly stageDuration: LabelledHistogram<'model' | 'version' | 'stage'>;
  /** `<prefix>queue_depth{model}` requests waiting for a batch or a worker. */
  readonly queueDepth: Gauge<'model'>;
  /** `<prefix>batch_size{model}` items per batch sent to a worker. */
  readonly batchSize: LabelledHistogram<'model'>;
  /** `<prefix>cache_hits_total{model}` */
  readonly cacheHits: LabelledCounter<'model'>;
  /** `<prefix>cache_misses_total{model}` */
  readonly cacheMisses: LabelledCounter<'model'>;
  /** `<prefix>worker_state{worker,state}` 1 for the worker's current state, 0 for the others. */
  readonly workerState: Gauge<'worker' | 'state'>;
  /** `<prefix>worker_ejections_total{worker}` times a balancer ejected the worker. */
  readonly workerEjections: Counter<'worker'>;
  /** `<prefix>worker_in_flight{worker}` batches the worker runs now. */
  readonly workerInFlight: Gauge<'worker'>;
  /** `<prefix>model_healthy_workers{model}` workers a balancer of the model has healthy now. */
  readonly modelHealthyWorkers: Gauge<'model'>;
  /** `<prefix>placement_actions_total{action,result}` loads and unloads the placement leader asked of workers (`ok` or `failed`). */
  readonly placementActions: Counter<'action' | 'result'>;
  /** `<prefix>placement_replicas_desired{model}` the `replicas` a model asks for, as the leader last saw it (the leader only). */
  readonly placementReplicasDesired: Gauge<'model'>;
  /** `<prefix>placement_replicas_actual{model}` workers serving a model with a `replicas` ask, as the leader last saw it. */
  readonly placementReplicasActual: Gauge<'model'>;
  /** `<prefix>in_flight_requests` requests being served now. */
  readonly inFlight: Gauge;
  /** `<prefix>max_in_flight_requests` the admission limit: beyond it requests get IM_OVERLOADED. */
  readonly maxInFlight: Gauge;
  /** Sets `worker`'s state to 1 and its other known states to 0. */
  setWorkerState(worker: string, state: string): void;
  /** Removes every series of a worker that left. */
  removeWorker(worker: string): void;
  /**
   * Observes a finished request's stages (see `stageTotals`: a request that waits for three batches counts
   * once, with its total wait), its queue wait and its compute time. Returns the totals, ms.
   */
  observeStages(labels: ModelLabels, trace: StageTimings): { queueMs: number | null; computeMs: number | null };
  /** The text exposition format, for `GET /metrics`. */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** Every metric's current values as data (prom-client's JSON form): what another process merges with `mergedExposition`. */
  snapshot(): Promise<MetricsSnapshot>;
}

/** One registry's metrics as data, as prom-client's `getMetricsAsJSON` gives them (plain JSON: it crosses process boundaries). */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * The text exposition of several processes' snapshots of the same metric set, merged the way prom-client
 * merges a cluster's (its `AggregatorRegistry`): counters, histograms and most gauges are summed, the
 * process metrics keep prom-client's own rules (event-loop lag averaged, the start time left out). What `GET /metrics` answers for a
 * coordinator that serves from several processes.
 */
export async function mergedExposition(snapshots: readonly MetricsSnapshot[]): Promise<{ contentType: string; body: string }> {
  const registry = AggregatorRegistry.aggregate([...snapshots]);
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Builds and registers the coordinator's metric set. Call once per registry. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const o = parseOptions(MetricsOptionsSchema, options, 'metrics');
  const registry = metricsRegistry(o);
  const p = o.prefix;
  const registers = [registry];
  const buckets = o.latencyBuckets;
  const mv = ['model', 'version'] as const;

  const requests = new LabelledCounter({ name: `${p}requests_total`, help: 'Requests answered to clients, by model, version and outcome (ok or the error code).', labelNames: ['model', 'version', 'outcome'] as const, registers });
  const requestDuration = new LabelledHistogram({ name: `${p}request_duration_seconds`, help: 'End-to-end request latency in seconds.', labelNames: mv, buckets, registers });
  const queueWait = new LabelledHistogram({ name: `${p}queue_wait_seconds`, help: 'Time a request waited for its batch to leave, in seconds.', labelNames: mv, buckets, registers });
  const compute = new LabelledHistogram({ name: `${p}compute_seconds`, help: 'Time a worker spent on a request (pre-processing, inference, post-processing), in seconds.', labelNames: mv, buckets, registers });
  const stageDuration = new LabelledHistogram({ name: `${p}stage_duration_seconds`, help: 'Time a request spent in one stage, in seconds.', labelNames: ['model', 'version', 'stage'] as const, buckets, registers });
  const queueDepth = new Gauge({ name: `${p}queue_depth`, help: 'Requests waiting for a batch or a worker.', labelNames: ['model'] as const, registers });
  const batchSize = new LabelledHistogram({ name: `${p}batch_size`, help: 'Items per batch sent to a worker.', labelNames: ['model'] as const, buckets: [...BATCH_SIZE_BUCKETS], registers });
  const cacheHits = new LabelledCounter({ name: `${p}cache_hits_total`, help: 'Requests answered from the cache.', labelNames: ['model'] as const, registers });
  const cacheMisses = new LabelledCounter({ name: `${p}cache_misses_total`, help: 'Cache lookups that found nothing.', labelNames: ['model'] as const, registers });
  const workerState = new Gauge({ name: `${p}worker_state`, help: 'Worker state: 1 for the current state, 0 for the others.', labelNames: ['worker', 'state'] as const, registers });
  const workerEjections = new Counter({ name: `${p}worker_ejections_total`, help: 'Times a load balancer ejected the worker.', labelNames: ['worker'] as const, registers });
  const workerInFlight = new Gauge({ name: `${p}worker_in_flight`, help: 'Batches a worker runs now.', labelNames: ['worker'] as const, registers });
  const modelHealthyWorkers = new Gauge({ name: `${p}model_healthy_workers`, help: 'Workers that a balancer of the model has healthy now.', labelNames: ['model'] as const, registers });
  const placementActions = new Counter({ name: `${p}placement_actions_total`, help: 'Model loads and unloads the placement leader asked of workers, by action and result.', labelNames: ['action', 'result'] as const, registers });
  const placementReplicasDesired = new Gauge({ name: `${p}placement_replicas_desired`, help: 'Replicas a model asks for, as the placement leader last saw it.', labelNames: ['model'] as const, registers });
  const placementReplicasActual = new Gauge({ name: `${p}placement_replicas_actual`, help: 'Workers serving a model that asks for replicas, as the placement leader last saw it.', labelNames: ['model'] as const, registers });
  const inFlight = new Gauge({ name: `${p}in_flight_requests`, help: 'Requests being served now.', registers });
  const maxInFlight = new Gauge({ name: `${p}max_in_flight_requests`, help: 'Requests served at once before new ones are refused with IM_OVERLOADED.', registers });
  const states = new Set(o.workerStates);

  return {
    registry, requests, requestDuration, queueWait, compute, stageDuration, queueDepth, batchSize, cacheHits, cacheMisses,
    workerState, workerEjections, workerInFlight, modelHealthyWorkers, placementActions, placementReplicasDesired, placementReplicasActual,
    inFlight, maxInFlight,
    setWorkerState(worker, state) {
      if (!states.has(state)) throw new RangeError(`unknown worker state "${state}" (known: ${[...states].join(', ')})`);
      for (const s of states) workerState.set({ worker, state: s }, s === state ? 1 : 0);
    },
    removeWorker(worker) {
      for (const s of states) workerState.remove({ worker, state: s });
      workerEjections.remove({ worker });
      workerInFlight.remove({ worker });
    },
    observeStages(labels, trace) {
      const totals = stageTotals(trace);
      for (const [stage, ms] of totals) stageDuration.observe({ model: labels.model, version: labels.version, stage }, ms / 1000);
      const split = queueAndCompute(totals);
      if (split.queueMs !== null) queueWait.observe(labels, split.queueMs / 1000);
      if (split.computeMs !== null) compute.observe(labels, split.computeMs / 1000);
      return split;
    },
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    async snapshot() {
      return registry.getMetricsAsJSON();
    },
  };
}
