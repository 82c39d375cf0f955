import { roleOfStage, type InferBatchRequest, type InferItem, type InferItemResult, type ModelSpec } from '@infermesh/contracts';
import { Batcher, type BatchEvent, type BatcherStats } from '@infermesh/batcher';
import type { ModelRegistry } from '@infermesh/registry';
import type { RequestTrace } from './request-telemetry.js';
import type { WorkerPool } from './worker-pool.js';

export interface BatchingOptions {
  /** False sends every request to a worker as a batch of one (the baseline of the batching bench). */
  enabled: boolean;
  /** Longest the oldest request of a batch waits for it to fill, unless the model sets its own. */
  maxDelayMs?: number | undefined;
  /** Longest a request may take end to end: its deadline in the queue. */
  timeoutMs: number;
  /** Each batch as it leaves for a model worker (with batching off, each request as a batch of one); not processor batches. */
  onBatch?: ((event: BatchEvent) => void) | undefined;
}

interface Queued {
  item: InferItem;
  rows: number;
  coalesceKey: string | undefined;
  trace: RequestTrace | undefined;
}

/** One request's answer, and who computed it. */
export interface Served {
  result: InferItemResult;
  workerId: string;
}

/** What a batch runs: a whole request (co-located) or one stage of it (disaggregated). */
export type BatchStage = InferBatchRequest['stage'];

export interface SubmitOptions {
  rows: number;
  /** `all` (the default) runs pre-processing, the model and post-processing on a model worker. */
  stage?: BatchStage | undefined;
  /** Shard of a sharded model: requests of one shard batch together and go to its replicas. */
  shard?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Identical requests (same key) in one batch are computed once. */
  coalesceKey?: string | undefined;
  timeoutMs?: number | undefined;
  trace?: RequestTrace | undefined;
}

/** Batcher key: `model:version`, plus `@stage` for one stage of a request, plus `#shard` for a sharded model. */
const keyOf = (spec: ModelSpec, stage: BatchStage, shard: number | undefined): string =>
  `${spec.name}:${spec.version}${stage === 'all' ? '' : `@${stage}`}${shard === undefined ? '' : `#${shard}`}`;

function parseKey(key: string): { model: string; version: string; stage: BatchStage; shard: number | undefined } {
  const [target = '', shard] = key.split('#');
  const [modelVersion = '', stage = 'all'] = target.split('@');
  const [model = '', version = ''] = modelVersion.split(':');
  return { model, version, stage: stage as BatchStage, shard: shard === undefined ? undefined : Number(shard) };
}

const onProcessor = (stage: BatchStage): boolean => roleOfStage(stage) === 'processor';

/**
 * Dynamic batching per model version: requests of one model queue together and leave as ONE
 * `infer` message when the batch reaches the model's `maxBatchSize` rows or its oldest request has
 * waited `maxDelayMs`. The worker runs the batch as one tensor batch. The policy comes from the
 * registry; batches in flight per model are capped at the capacity of the workers serving it, so
 * that while every worker is busy requests gather into larger batches instead of queuing apart.
 * Disaggregated, each stage queues apart: the model stage as above; pre- and post-processing leave
 * at once (no delay) and gather only while every processor is busy.
 */
export class ModelBatching {
  readonly #batcher: Batcher<Queued, Served>;
  readonly #pool: WorkerPool;
  readonly #options: BatchingOptions;

  constructor(registry: ModelRegistry, pool: WorkerPool, options: BatchingOptions) {
    this.#pool = pool;
    this.#options = options;
    this.#batcher = new Batcher<Queued, Served>({
      run: async (items, key, signal, info) => {
        const { model, version, stage, shard } = parseKey(key);
        const remaining = info.deadline === undefined ? options.timeoutMs : Math.max(1, info.deadline - Date.now());
        // A batch carries its first traced item's context; every item's transport span gets the worker's spans.
        let traceparent: string | undefined;
        for (const q of items) {
          const tp = q.trace?.dispatched();
          traceparent ??= tp;
        }
        const response = await pool.dispatch(
          { model, version, stage, items: items.map((q) => q.item), ...(traceparent ? { traceparent } : {}) },
          { timeoutMs: remaining, signal, shard },
        );
        for (const q of items) q.trace?.answered(response.spans);
        return response.items.map((result) => ({ ok: true as const, value: { result, workerId: response.workerId } }));
      },
      sizeOf: (q) => q.rows,
      coalesceKeyOf: (q) => q.coalesceKey,
      policyFor: (key) => {
        const { model, version, stage } = parseKey(key);
        const spec = registry.get(model, version);
        const processing = onProcessor(stage);
        return {
          maxBatchSize: spec.batchable ? spec.batching.maxBatchSize : 1,
          maxDelayMs: spec.batchable && !processing ? (options.maxDelayMs ?? spec.batching.maxDelayMs) : 0,
          maxQueue: spec.batching.maxQueue,
          preferredBatchSizes: spec.batchable && !processing ? spec.batching.preferredBatchSizes : [],
          maxInFlightBatches: this.#slots(model, version, stage),
        };
      },
    });
    const onBatch = options.onBatch;
    if (onBatch) this.#batcher.on('batch', (event) => (onProcessor(parseKey(event.key).stage) ? undefined : onBatch(event)));
    pool.on('change', () => {
      for (const key of this.#batcher.keys()) {
        const { model, version, stage } = parseKey(key);
        this.#batcher.configure(key, { maxInFlightBatches: this.#slots(model, version, stage) });
      }
    });
  }

  /** Batches the workers that run `stage` can take at once: the cap on that key's batches in flight. */
  #slots(model: string, version: string, stage: BatchStage): number {
    return Math.max(1, this.#pool.capacity(model, version, roleOfStage(stage)));
  }

  /** Queues one request (or one stage of it); resolves with its own result once its batch is answered. */
  submit(spec: ModelSpec, item: InferItem, options: SubmitOptions): Promise<Served> {
    const timeoutMs = Math.min(options.timeoutMs ?? Infinity, this.#options.timeoutMs);
    const stage = options.stage ?? 'all';
    if (!this.#options.enabled) {
      const key = keyOf(spec, stage, options.shard);
      if (!onProcessor(stage)) this.#options.onBatch?.({ key, size: 1, callers: 1, rows: options.rows, reason: 'full', waitMs: 0 });
      const traceparent = options.trace?.dispatched();
      return this.#pool
        .dispatch(
          { model: spec.name, version: spec.version, stage, items: [item], ...(traceparent ? { traceparent } : {}) },
          { timeoutMs, signal: options.signal, shard: options.shard },
        )
        .then((r) => {
          options.trace?.answered(r.spans);
          return r;
        })
        .then((r) => ({
          result: r.items[0] ?? { ok: false, error: { code: 'IM_WORKER_FAILED', message: 'worker answered without a result' } },
          workerId: r.workerId,
        }));
    }
    options.trace?.queued();
    return this.#batcher.add(
      { item, rows: options.rows, coalesceKey: options.coalesceKey, trace: options.trace },
      {
        key: keyOf(spec, stage, options.shard),
        deadline: Date.now() + timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  }

  /** Callers queued now, by model name (summed over versions and shards), for the queue-depth gauge. */
  queueDepths(): Map<string, number> {
    const depths = new Map<string, number>();
    for (const key of this.#batcher.keys()) {
      const { model } = parseKey(key);
      depths.set(model, (depths.get(model) ?? 0) + this.#batcher.stats(key).queueDepth);
    }
    return depths;
  }

  stats(): { enabled: boolean; total: BatcherStats; models: Record<string, BatcherStats> } {
    return {
      enabled: this.#options.enabled,
      total: this.#batcher.stats(),
      models: Object.fromEntries(this.#batcher.keys().map((k) => [k, this.#batcher.stats(k)])),
    };
  }

  /** Sends every queued request now and resolves when all batches are answered (shutdown). */
  drain(): Promise<void> {
    return this.#batcher.drain();
  }
}
