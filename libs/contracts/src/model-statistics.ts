import { z } from 'zod/v4';

/** A count and the nanoseconds they took in total (Triton's `StatisticDuration`). */
export const DurationStatSchema = z.object({ count: z.int().nonnegative(), ns: z.int().nonnegative() });
export type DurationStat = z.infer<typeof DurationStatSchema>;

/** Per request: outcome and where its time went (Triton's `InferStatistics`). */
export const InferStatsSchema = z.object({
  success: DurationStatSchema,
  fail: DurationStatSchema,
  queue: DurationStatSchema,
  compute_input: DurationStatSchema,
  compute_infer: DurationStatSchema,
  compute_output: DurationStatSchema,
  cache_hit: DurationStatSchema,
  cache_miss: DurationStatSchema,
});
export type InferStats = z.infer<typeof InferStatsSchema>;

/** Per batch size (rows): the batches run at that size and their stage times (Triton's `InferBatchStatistics`). */
export const BatchStatsSchema = z.object({
  batch_size: z.int().positive(),
  compute_input: DurationStatSchema,
  compute_infer: DurationStatSchema,
  compute_output: DurationStatSchema,
});
export type BatchStats = z.infer<typeof BatchStatsSchema>;

/** One model version's statistics (Triton's `ModelStatistics`). */
export const ModelStatSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** Epoch milliseconds of the last request answered; 0 before the first. */
  last_inference: z.int().nonnegative(),
  /** Rows inferred successfully (a request of 8 rows counts 8); cache hits excluded. */
  inference_count: z.int().nonnegative(),
  /** Model executions: batches the model ran. */
  execution_count: z.int().nonnegative(),
  inference_stats: InferStatsSchema,
  batch_stats: z.array(BatchStatsSchema),
});
export type ModelStat = z.infer<typeof ModelStatSchema>;

/** `GET /v2/models[/{m}[/versions/{v}]]/stats` (Triton's statistics extension). */
export const ModelStatsResponseSchema = z.object({ model_stats: z.array(ModelStatSchema) });
export type ModelStatsResponse = z.infer<typeof ModelStatsResponseSchema>;
