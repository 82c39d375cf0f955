import type { InferItem, InferItemResult, ModelSpec } from '@infermesh/contracts';
import { Batcher, type BatcherStats } from '@infermesh/batcher';
import type { ModelRegistry } from '@infermesh/registry';
import type { WorkerPool } from './worker-pool.js';

export interface BatchingOptions {
  /** False sends every request to a worker as a batch of one (the baseline of the batching bench). */
  enabled: boolean;
  /** Longest the oldest request of a batch waits for it to fill, unless the model sets its own. */
  maxDelayMs?: number | undefined;
  /** Longest a request may take end to end: its deadline in the queue. */
  timeoutMs: number;
}

interface Queued {
  item: InferItem;
  rows: number;
  coalesceKey: string | undefined;
}

/** One request's answer, and who computed it. */
export interface Served {
  result: InferItemResult;
  workerId: string;
}

export interface SubmitOptions {
  rows: number;
  /** Shard of a sharded model: requests of one shard batch together and go to its replicas. */
  shard?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Identical requests (same key) in one batch are computed once. */
  coalesceKey?: string | undefined;
  timeoutMs?: number | undefined;
}

/** Batcher key: `model:version`, plus `#shard` for a sharded model. */
const keyOf = (spec: ModelSpec, shard: number | undefined): string =>
  shard === undefined ? `${spec.name}:${spec.version}` : `${spec.name}:${spec.version}#${shard}`;

function parseKey(key: string): { model: string; version: string; shard: number | undefined } {
  const [target = '', shard] = key.split('#');
  const [model = '', version = ''] = target.split(':');
  return { model, version, shard: shard === undefined ? undefined : Number(shard) };
}

/**
 * Dynamic batching per model version: requests of one model queue together and leave as ONE
 * `infer` message when the batch reaches the model's `maxBatchSize` rows or its oldest request has
 * waited `maxDelayMs`. The worker runs the batch as one tensor batch. The policy comes from the
 * registry; batches in flight per model are capped at the capacity of the workers serving it, so
 * that while every worker is busy requests gather into larger batches instead of queuing apart.
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
        const { model, version, shard } = parseKey(key);
        const remaining = info.deadline === undefined ? options.timeoutMs : Math.max(1, info.deadline - Date.now());
        const response = await pool.dispatch(
          { model, version, items: items.map((q) => q.item) },
          { timeoutMs: remaining, signal, shard },
        );
        return response.items.map((result) => ({ ok: true as const, value: { result, workerId: response.workerId } }));
      },
      sizeOf: (q) => q.rows,
      coalesceKeyOf: (q) => q.coalesceKey,
      policyFor: (key) => {
        const { model, version } = parseKey(key);
        const spec = registry.get(model, version);
        return {
          maxBatchSize: spec.batchable ? spec.batching.maxBatchSize : 1,
          maxDelayMs: spec.batchable ? (options.maxDelayMs ?? spec.batching.maxDelayMs) : 0,
          maxQueue: spec.batching.maxQueue,
          preferredBatchSizes: spec.batchable ? spec.batching.preferredBatchSizes : [],
          maxInFlightBatches: Math.max(1, pool.capacity(spec.name, spec.version)),
        };
      },
    });
    pool.on('change', () => {
      for (const key of this.#batcher.keys()) {
        const { model, version } = parseKey(key);
        this.#batcher.configure(key, { maxInFlightBatches: Math.max(1, pool.capacity(model, version)) });
      }
    });
  }

  /** Queues one request; resolves with its own result once its batch is answered. */
  submit(spec: ModelSpec, item: InferItem, options: SubmitOptions): Promise<Served> {
    const timeoutMs = Math.min(options.timeoutMs ?? Infinity, this.#options.timeoutMs);
    if (!this.#options.enabled) {
      return this.#pool
        .dispatch({ model: spec.name, version: spec.version, items: [item] }, { timeoutMs, signal: options.signal, shard: options.shard })
        .then((r) => ({
          result: r.items[0] ?? { ok: false, error: { code: 'IM_WORKER_FAILED', message: 'worker answered without a result' } },
          workerId: r.workerId,
        }));
    }
    return this.#batcher.add(
      { item, rows: options.rows, coalesceKey: options.coalesceKey },
      {
        key: keyOf(spec, options.shard),
        deadline: Date.now() + timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
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
