import type { Batcher, BatchInfo, BatchResult, BatchSignal } from '@infermesh/batcher';
import type { AbortLike } from '@infermesh/foundation';
import {
  ApiError, modelVersionKey, outputContractViolation, roleOfStage, type InferBatchRequest, type InferBatchResponse, type InferItem,
  type InferItemResult, type ModelSpec, type TensorSpec, type WorkerRole,
} from '@infermesh/contracts';
import { AcquireTimeoutError, LoadBalancer, NoEndpointError, type LoadBalancerOptions } from '@infermesh/load-balancer';
import type { RetryBudget } from '@infermesh/router';
import { isWorkerFault } from './api-error.js';
import type { ModelStatistics } from './model-statistics.js';
import type { LaneTrace, RequestTrace } from './request-telemetry.js';
import { WorkerChannelError } from './worker-channel-error.js';
import type { Worker } from './worker-pool.js';

/** What a lane's batches run: a whole request (`all`, co-located) or one stage of it (disaggregated). */
export type LaneStage = InferBatchRequest['stage'];

/** One request (or one stage of it) waiting in a lane's queue. */
export interface Queued {
  lane: Lane;
  item: InferItem;
  rows: number;
  coalesceKey: string | undefined;
  trace: RequestTrace | undefined;
  /** When it entered the lane (`performance.now()`), for the queue time of the statistics. */
  enqueuedAt: number;
}

/** One request's answer from a lane, and the worker that computed it. */
export interface Served {
  result: InferItemResult;
  workerId: string;
  /** The worker's connection (unique per connection): what the cache records, so an ejected worker's answers can be dropped. */
  connection: string;
}

export interface SubmitOptions {
  rows: number;
  /** Absolute, on the monotonic clock (`performance.now()`): the request's one deadline. */
  deadline: number;
  signal?: AbortLike | undefined;
  /** Identical requests (same key) in one batch are computed once. */
  coalesceKey?: string | undefined;
  trace?: RequestTrace | undefined;
}

export interface LaneSettings {
  /** The balancer of this lane's workers: strategy, health checks, outlier ejection. */
  balancer: LoadBalancerOptions<Worker>;
  /** Shared by every lane: retries cannot multiply load in an outage. */
  retries: RetryBudget;
  /** The queue every lane batches in, or undefined with batching off (each request leaves alone). */
  batcher: Batcher<Queued, Served> | undefined;
  /** Overrides the model's `batching.maxDelayMs`. */
  maxDelayMs?: number | undefined;
  /** Where each answered batch's queue and compute times are counted. */
  statistics?: ModelStatistics | undefined;
  /** The outputs this lane's stage declares, checked on every answer; undefined while unknown (then nothing is checked). */
  declaredOutputs: () => readonly TensorSpec[] | undefined;
  /** A worker answered outside its declared outputs: it is to be ejected. The batch goes to another worker. */
  onContractBroken: (worker: Worker, detail: string) => void;
}

const NO_RESULT: InferItemResult = { ok: false, error: { code: 'IM_WORKER_RUNTIME', message: 'worker answered without a result' } };

/**
 * The unit the coordinator schedules: one model version, one stage of its requests (`all` co-located;
 * `preprocess`, `model`, `postprocess` disaggregated), one shard. It holds the batch policy and a load
 * balancer over the workers that serve it. This file is where a worker is chosen for a batch.
 */
export class Lane {
  readonly spec: ModelSpec;
  readonly stage: LaneStage;
  readonly role: WorkerRole;
  /** The shard of a sharded model; undefined for a model of one shard. */
  readonly shard: number | undefined;
  /** For display and lookup (`mlp:1`, `sentiment:1@preprocess`, `kv:1#2`); never parsed back. */
  readonly label: string;
  readonly balancer: LoadBalancer<Worker>;
  readonly #retries: RetryBudget;
  readonly #batcher: Batcher<Queued, Served> | undefined;
  readonly #statistics: ModelStatistics | undefined;
  readonly #declaredOutputs: LaneSettings['declaredOutputs'];
  readonly #onContractBroken: LaneSettings['onContractBroken'];
  /** Client-facing stages answer the request's own rows; inner stages' tensors are checked by declaration only. */
  readonly #checksRows: boolean;

  constructor(spec: ModelSpec, stage: LaneStage, shard: number | undefined, settings: LaneSettings) {
    this.spec = spec;
    this.stage = stage;
    this.role = roleOfStage(stage);
    this.shard = shard;
    this.label = `${modelVersionKey(spec)}${stage === 'all' ? '' : `@${stage}`}${shard === undefined ? '' : `#${shard}`}`;
    this.balancer = new LoadBalancer<Worker>(settings.balancer);
    this.#retries = settings.retries;
    this.#batcher = settings.batcher;
    this.#statistics = settings.statistics;
    this.#declaredOutputs = settings.declaredOutputs;
    this.#onContractBroken = settings.onContractBroken;
    this.#checksRows = spec.batchable && (stage === 'all' || stage === 'postprocess');
    if (this.#batcher) {
      // Processing stages leave at once and gather only while every processor is busy.
      const gathers = spec.batchable && this.role === 'model';
      this.#batcher.configure(this.label, {
        maxBatchSize: spec.batchable ? spec.batching.maxBatchSize : 1,
        maxDelayMs: gathers ? (settings.maxDelayMs ?? spec.batching.maxDelayMs) : 0,
        maxQueue: spec.batching.maxQueue,
        preferredBatchSizes: gathers ? spec.batching.preferredBatchSizes : [],
        maxInFlightBatches: 1,
        // Requests read in the same event-loop turn leave together, even to an idle worker (a lone one, after
        // a lone turn, at once).
        gatherTurn: spec.batchable,
      });
      for (const event of ['added', 'removed'] as const) this.balancer.on(event, () => this.#resize());
    }
  }

  /** Puts a worker in this lane's rotation. */
  add(worker: Worker): void {
    this.balancer.add(worker.id, worker, { capacity: worker.capacity });
  }

  remove(workerId: string): void {
    if (this.balancer.has(workerId)) this.balancer.remove(workerId);
  }

  /** No new batches for the worker; it finishes the ones it has. */
  drain(workerId: string): void {
    void this.drained(workerId);
  }

  /** `drain`, resolved when the worker's batches here are answered and it has left the lane. */
  drained(workerId: string): Promise<void> {
    return this.balancer.has(workerId) ? this.balancer.drain(workerId).catch(() => undefined) : Promise.resolve();
  }

  /** Some worker may take a batch now (healthy, or admitted in panic). */
  get available(): boolean {
    return this.balancer.available > 0;
  }

  /** Queues one request (or one stage of it); resolves with its own result once its batch is answered. */
  async submit(item: InferItem, options: SubmitOptions): Promise<Served> {
    const { trace } = options;
    const enqueuedAt = performance.now();
    if (this.#batcher) {
      trace?.queued();
      return this.#batcher.add(
        { lane: this, item, rows: options.rows, coalesceKey: options.coalesceKey, trace, enqueuedAt },
        { key: this.label, deadline: options.deadline, ...(options.signal ? { signal: options.signal } : {}) },
      );
    }
    const response = await this.#dispatch([item], [options.rows], options.deadline, options.signal, trace?.dispatched(this.#traced(1)));
    this.#record(options.rows, [response.sentAt - enqueuedAt], response);
    trace?.answered(response.spans, response.workerId, response.timings);
    return { result: response.items[0] ?? NO_RESULT, workerId: response.workerId, connection: response.connection };
  }

  /** What a transport span says about this lane and batch (read only when the request is sampled). */
  #traced(batchSize: number): LaneTrace {
    return { model: this.spec.name, version: this.spec.version, stage: this.stage, name: this.label, batchSize };
  }

  /** Counts an answered batch in the model's statistics. */
  #record(rows: number, queuedMs: number[], response: InferBatchResponse): void {
    this.#statistics?.batch(this.spec, { executed: this.role === 'model', rows, queuedMs, timings: response.timings });
  }

  /** The batcher's runner for this lane's key: one `infer` call for the whole batch. */
  async runBatch(items: Queued[], signal: BatchSignal, info: BatchInfo): Promise<Array<BatchResult<Served>>> {
    // A batch carries its first traced item's context; every item's transport span gets the worker's spans.
    let traceparent: string | undefined;
    const traced = this.#traced(items.length);
    for (const q of items) {
      const tp = q.trace?.dispatched(traced);
      traceparent ??= tp;
    }
    const response = await this.#dispatch(items.map((q) => q.item), items.map((q) => q.rows), info.deadline, signal, traceparent);
    let rows = 0;
    for (const q of items) rows += q.rows;
    this.#record(rows, items.map((q) => response.sentAt - q.enqueuedAt), response);
    for (const q of items) q.trace?.answered(response.spans, response.workerId, response.timings);
    return response.items.map((result) => ({ ok: true as const, value: { result, workerId: response.workerId, connection: response.connection } }));
  }

  /**
   * Sends a batch to a worker of this lane, chosen by its balancer among those with a free slot,
   * waiting (woken, never polling) while all are busy, up to the deadline. Inference is idempotent,
   * so a batch whose worker fails (closed, unreachable, busy) goes to another worker, each tried at
   * most once, while the retry budget allows. A failure of the request itself is not retried and does
   * not count against the worker.
   */
  async #dispatch(
    items: InferItem[], rows: number[], deadline: number | undefined, signal: AbortLike | undefined, traceparent: string | undefined,
  ): Promise<InferBatchResponse & { workerId: string; connection: string; sentAt: number }> {
    const request = { model: this.spec.name, version: this.spec.version, stage: this.stage, items, ...(traceparent ? { traceparent } : {}) };
    const tried = new Set<string>();
    let lastError: unknown;
    this.#retries.recordRequest();
    for (;;) {
      if (lastError !== undefined && !this.#retries.tryRetry()) throw lastError;
      let lease;
      try {
        lease = await this.balancer.acquire({ exclude: tried, deadline, signal });
      } catch (error) {
        if (error instanceof NoEndpointError) throw lastError ?? this.#noWorker();
        if (error instanceof AcquireTimeoutError) {
          throw new ApiError('IM_TIMEOUT', `no worker slot for ${this.label} came free before the request's deadline`, { cause: error });
        }
        throw error;
      }
      const worker = lease.endpoint;
      tried.add(worker.id);
      const sentAt = performance.now();
      try {
        const response = await worker.peer.call('infer', request, { deadline, signal });
        const broken = this.#contractViolation(items, rows, response);
        if (broken !== undefined) {
          // Its answer reaches neither a client nor the cache; the worker is ejected and the batch tried elsewhere.
          lease.release({ ok: false, failure: 'endpoint' });
          worker.failed++;
          this.#onContractBroken(worker, broken);
          lastError = new WorkerChannelError('IM_WORKER_CONTRACT', `worker ${worker.info.workerId} answered ${this.label} outside its declared outputs: ${broken}`);
          continue;
        }
        worker.served++;
        lease.release({ ok: true });
        return { ...response, workerId: worker.info.workerId, connection: worker.id, sentAt };
      } catch (error) {
        const fault = isWorkerFault(error);
        // A request that outlives its deadline is not a worker fault: the deadline may be the client's
        // own and short. A worker that stops answering is caught by the health checks and heartbeats.
        lease.release({ ok: false, failure: fault ? 'endpoint' : 'request' });
        if (!fault) throw error;
        worker.failed++;
        lastError = error;
      }
    }
  }

  /** Why a worker's answer to a batch breaks this stage's declared outputs, or undefined. */
  #contractViolation(items: InferItem[], rows: number[], response: InferBatchResponse): string | undefined {
    if (response.items.length !== items.length) return `${response.items.length} results for a batch of ${items.length}`;
    const declared = this.#declaredOutputs();
    if (declared === undefined) return undefined;
    for (let i = 0; i < items.length; i++) {
      const result = response.items[i]!;
      if (!result.ok) continue;
      const why = outputContractViolation(result.outputs, { declared, requested: items[i]!.outputs, rows: this.#checksRows ? rows[i] : undefined });
      if (why !== undefined) return `item ${i}: ${why}`;
    }
    return undefined;
  }

  #noWorker(): ApiError {
    const who = this.role === 'model' ? 'worker' : `processor (${this.stage})`;
    const shard = this.shard === undefined ? '' : ` shard ${this.shard}`;
    return new ApiError('IM_NO_WORKER', `no ${who} serves ${modelVersionKey(this.spec)}${shard}`);
  }

  /**
   * A batch leaves at once while some worker of the lane has none of its batches (nothing to wait for);
   * requests gather, up to the batch size and delay, only while every worker is busy. At most the
   * workers' slots are in flight.
   */
  #resize(): void {
    let slots = 0;
    const { endpoints } = this.balancer.snapshot();
    for (const e of endpoints) slots += e.capacity.limit;
    this.#batcher?.configure(this.label, { maxInFlightBatches: Math.max(1, Math.min(slots, 1_000_000)), sendAtOnceBelow: endpoints.length });
  }

  close(): void {
    this.balancer.close();
  }
}
