import { modelVersionKey, type BatchTimings, type DurationStat, type ModelSpec, type ModelStat } from '@infermesh/contracts';

/** One batch a lane's worker answered, as the lane saw it. */
export interface BatchRecord {
  /** True when the batch ran the model's session (a co-located or model-stage lane), not only pre- or post-processing. */
  executed: boolean;
  /** Rows in the batch (the batch size of `batch_stats`). */
  rows: number;
  /** Per request in the batch: ms from entering the lane's queue until its batch was sent to a worker. */
  queuedMs: readonly number[];
  /** The worker's stage times for the whole batch. */
  timings: BatchTimings | undefined;
}

/** How a request ended, as the inference service saw it. */
export interface RequestRecord {
  ok: boolean;
  /** From the request's resolution to its answer. */
  durationMs: number;
  /** Rows of the request (counted in `inference_count` when it ran the model). */
  rows: number;
  /** The cache's part, when the model is cached: a hit (served without inference) or a miss (ms spent in the cache itself). */
  cache?: { hit: true } | { hit: false; overheadMs: number } | undefined;
}

interface Durations {
  success: DurationStat;
  fail: DurationStat;
  queue: DurationStat;
  compute_input: DurationStat;
  compute_infer: DurationStat;
  compute_output: DurationStat;
  cache_hit: DurationStat;
  cache_miss: DurationStat;
}

interface BatchSizeStats {
  compute_input: DurationStat;
  compute_infer: DurationStat;
  compute_output: DurationStat;
}

interface VersionStats {
  lastInference: number;
  inferenceCount: number;
  executionCount: number;
  inference: Durations;
  batches: Map<number, BatchSizeStats>;
}

const zero = (): DurationStat => ({ count: 0, ns: 0 });
const ns = (ms: number): number => Math.max(0, Math.round(ms * 1e6));
const add = (stat: DurationStat, count: number, ms: number): void => {
  stat.count += count;
  stat.ns += count * ns(ms);
};

const STAGES = [['preprocessMs', 'compute_input'], ['inferenceMs', 'compute_infer'], ['postprocessMs', 'compute_output']] as const;

/**
 * The per-model-version counters of Triton's statistics extension, in one place: requests (success,
 * fail, cache hit and miss) recorded by the inference service, queue and compute times by the lanes from
 * each batch the workers answer. Each request in a batch is charged the whole batch's stage times, as
 * Triton charges them. Figures live as long as the coordinator; a version unloaded and loaded again keeps its counts.
 */
export class ModelStatistics {
  readonly #versions = new Map<string, VersionStats>();
  readonly #epochMs: () => number;

  /** `epochMs`: the wall clock of `last_inference`. Default `Date.now`. */
  constructor(options: { epochMs?: () => number } = {}) {
    this.#epochMs = options.epochMs ?? Date.now;
  }

  #of(spec: { name: string; version: string }): VersionStats {
    const key = modelVersionKey(spec);
    let s = this.#versions.get(key);
    if (!s) {
      s = {
        lastInference: 0, inferenceCount: 0, executionCount: 0, batches: new Map(),
        inference: {
          success: zero(), fail: zero(), queue: zero(), compute_input: zero(), compute_infer: zero(), compute_output: zero(),
          cache_hit: zero(), cache_miss: zero(),
        },
      };
      this.#versions.set(key, s);
    }
    return s;
  }

  /** A request answered or failed (after its model version was resolved). */
  request(spec: ModelSpec, record: RequestRecord): void {
    const s = this.#of(spec);
    s.lastInference = this.#epochMs();
    if (!record.ok) {
      add(s.inference.fail, 1, record.durationMs);
      return;
    }
    add(s.inference.success, 1, record.durationMs);
    const cache = record.cache;
    if (cache?.hit) {
      add(s.inference.cache_hit, 1, record.durationMs);
      return;
    }
    if (cache) add(s.inference.cache_miss, 1, cache.overheadMs);
    s.inferenceCount += record.rows;
  }

  /** A batch a worker answered for one of the version's lanes. */
  batch(spec: ModelSpec, record: BatchRecord): void {
    const s = this.#of(spec);
    const requests = record.queuedMs.length;
    if (record.executed) {
      s.executionCount++;
      for (const q of record.queuedMs) add(s.inference.queue, 1, q);
    }
    let size = record.executed ? s.batches.get(record.rows) : undefined;
    if (record.executed && !size) {
      size = { compute_input: zero(), compute_infer: zero(), compute_output: zero() };
      s.batches.set(record.rows, size);
    }
    for (const [field, stat] of STAGES) {
      const ms = record.timings?.[field];
      if (ms === undefined) continue;
      add(s.inference[stat], requests, ms);
      if (size) add(size[stat], 1, ms);
    }
  }

  /** Triton's `model_stats` entries of these versions, in the order given. */
  stats(specs: readonly ModelSpec[]): ModelStat[] {
    return specs.map((spec) => {
      const s = this.#versions.get(modelVersionKey(spec));
      const copy = (d: DurationStat): DurationStat => ({ count: d.count, ns: d.ns });
      const inference = s?.inference;
      return {
        name: spec.name,
        version: spec.version,
        last_inference: s?.lastInference ?? 0,
        inference_count: s?.inferenceCount ?? 0,
        execution_count: s?.executionCount ?? 0,
        inference_stats: {
          success: copy(inference?.success ?? zero()),
          fail: copy(inference?.fail ?? zero()),
          queue: copy(inference?.queue ?? zero()),
          compute_input: copy(inference?.compute_input ?? zero()),
          compute_infer: copy(inference?.compute_infer ?? zero()),
          compute_output: copy(inference?.compute_output ?? zero()),
          cache_hit: copy(inference?.cache_hit ?? zero()),
          cache_miss: copy(inference?.cache_miss ?? zero()),
        },
        batch_stats: [...(s?.batches ?? new Map<number, BatchSizeStats>())]
          .sort(([a], [b]) => a - b)
          .map(([batch_size, b]) => ({
            batch_size, compute_input: copy(b.compute_input), compute_infer: copy(b.compute_infer), compute_output: copy(b.compute_output),
          })),
      };
    });
  }
}
