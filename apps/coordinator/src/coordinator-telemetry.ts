import type { BatchEvent } from '@infermesh/batcher';
import { API_ERRORS } from '@infermesh/contracts';
import {
  AccessLog, componentLogger, createMetrics, createTracing, DashboardSampler, mergedExposition, type DashboardData, type DashboardWorker,
  type Logger, type LogLevel, type Metrics, type MetricsSnapshot, type StoredTrace, type Tracing, type TraceStore,
} from '@infermesh/telemetry';
import type { Lane } from './lane.js';
import { RequestTelemetry } from './request-telemetry.js';
import type { WorkerStatus } from './worker-pool.js';

export interface CoordinatorTelemetryConfig {
  traceStoreSize: number;
}

export interface CoordinatorLoggingConfig {
  /** Share of successful requests with an access-log line. */
  accessSample: number;
  /** Window in which load refusals beyond the first of a code are summarised, ms (0: a line each). */
  refusalSummaryMs?: number;
  /** Level per component (`access`, …). */
  levels: Partial<Record<string, LogLevel>>;
}

/** What the scrape and the dashboard read, at read time: nothing here runs per request. */
export interface TelemetrySources {
  workers: () => WorkerStatus[];
  inFlight: () => number;
  queueDepths: () => Map<string, number>;
  /** Healthy workers by model name, every registered model listed. */
  healthyWorkers: () => Map<string, number>;
  /** The admission limit (`limits.maxInFlight`). */
  maxInFlight: number;
  /** The asked-for models as the placement leader last saw them; empty when this coordinator does not lead. */
  replicas?: () => ReadonlyArray<{ model: string; desired: number; actual: number }>;
  /** The other processes of this coordinator (`processes` > 1): their metric snapshots, merged into `/metrics`, and their traces. */
  siblings?: {
    snapshots: () => Promise<MetricsSnapshot[]>;
    trace: (traceId: string) => Promise<StoredTrace | undefined>;
  } | undefined;
}

/** The load balancer's endpoint states, all of them, so `worker_state` has a series for each. */
const WORKER_STATES = ['healthy', 'unhealthy', 'ejected', 'draining'];

/** The codes that shed load (answered 429): their access-log lines are summarised under overload. */
const LOAD_REFUSALS = Object.entries(API_ERRORS).filter(([, spec]) => spec.http === 429).map(([code]) => code);

/** A worker's state for the dashboard: healthy when some model's balancer has it healthy. */
function workerState(w: WorkerStatus): string {
  const states = Object.values(w.balancing).map((b) => b.state);
  if (states.length === 0 || states.includes('healthy')) return 'healthy';
  return states[0]!;
}

export function toDashboardWorker(w: WorkerStatus): DashboardWorker {
  return {
    id: w.workerId, address: w.address ?? null, models: w.models, state: workerState(w), inFlight: w.inFlight, served: w.served, failed: w.failed,
  };
}

/**
 * The coordinator's telemetry, built from its config: the tracer with its trace store (and an OTLP
 * exporter when configured), the metric set, the dashboard sampler, and the hooks the pool and the
 * batcher report to. Gauges of current figures are read from their sources when scraped.
 */
export class CoordinatorTelemetry {
  readonly store: TraceStore;
  readonly metrics: Metrics;
  readonly sampler = new DashboardSampler();
  readonly requests: RequestTelemetry;
  readonly tracing: Tracing;
  /** One line per request (sampled by `logging.accessSample`; failures always). */
  readonly accessLog: AccessLog;
  #sources: TelemetrySources | undefined;
  readonly #knownWorkers = new Set<string>();

  constructor(config: CoordinatorTelemetryConfig, log: Logger, logging: CoordinatorLoggingConfig = { accessSample: 1, levels: {} }) {
    // OpenTelemetry from the OTEL_* variables; the store is one of the provider's span processors.
    this.tracing = createTracing({
      serviceName: 'infermesh-coordinator', store: { maxTraces: config.traceStoreSize },
      onExportError: (error) => log.warn({ err: error, code: error.code }, 'trace export failed'),
    });
    this.store = this.tracing.store!;
    this.metrics = createMetrics({ workerStates: WORKER_STATES });
    this.accessLog = new AccessLog(componentLogger(log, 'access', logging.levels), {
      sample: logging.accessSample, summarisedCodes: LOAD_REFUSALS, summaryWindowMs: logging.refusalSummaryMs,
    });
    // Every series of the counter exists from the start at 0, so `increase()` sees the first action.
    for (const action of ['load', 'unload']) for (const result of ['ok', 'failed']) this.metrics.placementActions.inc({ action, result }, 0);
    this.requests = new RequestTelemetry({ tracer: this.tracing.tracer, metrics: this.metrics, sampler: this.sampler, accessLog: this.accessLog });
  }

  /** Connects the figures read at scrape time (the pool and service exist after the telemetry). */
  attach(sources: TelemetrySources): void {
    this.#sources = sources;
  }

  /** A batch left a model lane. */
  readonly onBatch = (lane: Lane, event: BatchEvent): void => {
    this.metrics.batchSize.observe({ model: lane.spec.name }, event.size);
    this.sampler.recordBatch(event.size);
  };

  /** The placement leader asked a worker to load or unload a model. */
  onPlacementAction(action: 'load' | 'unload', result: 'ok' | 'failed'): void {
    this.metrics.placementActions.inc({ action, result });
  }

  /** A load balancer's 'state' event, by worker id. */
  onWorkerState(worker: string, state: string): void {
    if (WORKER_STATES.includes(state)) this.metrics.setWorkerState(worker, state);
    if (state === 'ejected') this.metrics.workerEjections.inc({ worker });
  }

  /** The pool's set of workers changed: new ones start healthy, gone ones lose their series. */
  onWorkersChanged(): void {
    const current = new Set((this.#sources?.workers() ?? []).map((w) => w.workerId));
    for (const id of current) {
      if (!this.#knownWorkers.has(id)) {
        this.#knownWorkers.add(id);
        this.metrics.setWorkerState(id, 'healthy');
        // A counter's series exists from the start at 0, so `increase()` sees its first ejection.
        this.metrics.workerEjections.inc({ worker: id }, 0);
      }
    }
    for (const id of this.#knownWorkers) {
      if (!current.has(id)) {
        this.#knownWorkers.delete(id);
        this.metrics.removeWorker(id);
      }
    }
  }

  /** `GET /metrics`: this process's metrics, merged with its siblings' when the coordinator has several processes. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    const siblings = this.#sources?.siblings;
    if (!siblings) {
      this.#refresh();
      return this.metrics.exposition();
    }
    const [own, others] = await Promise.all([this.snapshot(), siblings.snapshots()]);
    return mergedExposition([own, ...others]);
  }

  /** This process's metrics as data, gauges read fresh: what a sibling process merges. */
  async snapshot(): Promise<MetricsSnapshot> {
    this.#refresh();
    return this.metrics.snapshot();
  }

  /** Sets the gauges that are read, not counted, from their sources. */
  #refresh(): void {
    const sources = this.#sources;
    if (sources) {
      const m = this.metrics;
      m.inFlight.set(sources.inFlight());
      m.maxInFlight.set(sources.maxInFlight);
      for (const [model, depth] of sources.queueDepths()) m.queueDepth.set({ model }, depth);
      m.modelHealthyWorkers.reset();
      for (const [model, n] of sources.healthyWorkers()) m.modelHealthyWorkers.set({ model }, n);
      m.workerInFlight.reset();
      for (const w of sources.workers()) m.workerInFlight.set({ worker: w.workerId }, w.inFlight);
      m.placementReplicasDesired.reset();
      m.placementReplicasActual.reset();
      for (const r of sources.replicas?.() ?? []) {
        m.placementReplicasDesired.set({ model: r.model }, r.desired);
        m.placementReplicasActual.set({ model: r.model }, r.actual);
      }
    }
  }

  /** `GET /v2/dashboard/data`. */
  dashboardData(): DashboardData {
    const sources = this.#sources;
    if (sources) {
      this.sampler.setWorkers(sources.workers().map(toDashboardWorker));
      this.sampler.setInFlight(sources.inFlight());
    }
    return this.sampler.snapshot();
  }

  /** The stored trace, `undefined` when unknown; throws `IM_TELEMETRY_INVALID_TRACE_ID` for a malformed id. */
  trace(traceId: string): StoredTrace | undefined {
    return this.store.get(traceId);
  }

  /** A stored trace of this process, or of a sibling process when the coordinator has several. */
  async findTrace(traceId: string): Promise<StoredTrace | undefined> {
    return this.trace(traceId) ?? (await this.#sources?.siblings?.trace(traceId));
  }

  /** Sends the spans still queued for export. */
  async close(): Promise<void> {
    this.accessLog.flush();
    await this.tracing.shutdown();
  }
}
