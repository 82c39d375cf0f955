import { z } from 'zod/v4';

const count = z.int().nonnegative();
const ms = z.number().nonnegative();

export const DashboardWorkerSchema = z.object({
  id: z.string(),
  address: z.string().nullable(),
  models: z.array(z.string()),
  state: z.string(),
  inFlight: count,
  served: count,
  failed: count,
});
export type DashboardWorker = z.infer<typeof DashboardWorkerSchema>;

/** One second of traffic, all models. Latencies are read from a log histogram (±9%). */
export const DashboardPointSchema = z.object({
  /** Start of the second, epoch ms. */
  t: z.number(),
  requests: count,
  failed: count,
  p50Ms: ms.nullable(),
  p99Ms: ms.nullable(),
  /** Median time waiting for a batch, of the requests that waited (cache hits did not). */
  queueP50Ms: ms.nullable(),
  /** Median time a worker spent on a request (pre-processing, inference, post-processing). */
  computeP50Ms: ms.nullable(),
  cacheHits: count,
  cacheMisses: count,
  batches: count,
  meanBatchSize: z.number().nonnegative().nullable(),
});
export type DashboardPoint = z.infer<typeof DashboardPointSchema>;

/** One model over the last `modelWindowSeconds`. */
export const DashboardModelSchema = z.object({
  model: z.string(),
  requests: count,
  failed: count,
  p50Ms: ms.nullable(),
  p99Ms: ms.nullable(),
  queueP50Ms: ms.nullable(),
  computeP50Ms: ms.nullable(),
  cacheHits: count,
  cacheMisses: count,
  /** Failed requests by error code. */
  errors: z.record(z.string(), count),
});
export type DashboardModel = z.infer<typeof DashboardModelSchema>;

/** What `GET /v2/dashboard/data` answers and the dashboard page reads. */
export const DashboardDataSchema = z.object({
  generatedAtMs: z.number(),
  /** Seconds of history in `series` and in `errors[].window`. */
  windowSeconds: z.int().positive(),
  /** Seconds the per-model rows and `errors[].recent` cover. */
  modelWindowSeconds: z.int().positive(),
  /** Figures of the last complete second. */
  current: z.object({
    throughput: z.number().nonnegative(),
    p50Ms: ms.nullable(),
    p99Ms: ms.nullable(),
    /** Hits / (hits + misses) over the window; `null` with no lookups. */
    cacheHitRate: z.number().min(0).max(1).nullable(),
    inFlight: count,
  }),
  /** Since the process started. */
  totals: z.object({ requests: count, failed: count, cacheHits: count, cacheMisses: count, batches: count }),
  /** Oldest first, one point per complete second, empty seconds included. */
  series: z.array(DashboardPointSchema),
  /** Failed requests by error code, most frequent first: over `windowSeconds` and over `modelWindowSeconds`. */
  errors: z.array(z.object({ code: z.string(), window: count, recent: count })),
  /** One row per model seen in the last `modelWindowSeconds`, by name. */
  models: z.array(DashboardModelSchema),
  /** Batch sizes over the window, by power-of-two bucket (`le` = upper bound, `null` above 256). */
  batchSizes: z.array(z.object({ le: z.int().positive().nullable(), count })),
  workers: z.array(DashboardWorkerSchema),
});
export type DashboardData = z.infer<typeof DashboardDataSchema>;
