import { z } from 'zod/v4';
import { BATCH_SIZE_BUCKETS } from './metrics.js';
import type { DashboardData, DashboardPoint, DashboardWorker } from './dashboard-data.js';
import { parseOptions } from '@infermesh/foundation';

export const DashboardSamplerOptionsSchema = z.strictObject({
  /** Seconds of history kept and served. */
  windowSeconds: z.int().min(2).max(3600).default(60),
  /** Latencies kept per second for percentiles; beyond it, new samples overwrite old ones in turn. */
  maxLatencySamplesPerSecond: z.int().min(1).max(1_000_000).default(2048),
  /** Now, in epoch ms. */
  clock: z.custom<() => number>((v) => typeof v === 'function', 'expected a function').default(() => Date.now),
});
export type DashboardSamplerOptions = z.input<typeof DashboardSamplerOptionsSchema>;

interface Bucket {
  second: number;
  requests: number;
  failed: number;
  latencies: number[];
  cacheHits: number;
  cacheMisses: number;
  batches: number;
  batchItems: number;
  batchBuckets: number[];
}

const emptyBucket = (second: number): Bucket => ({
  second, requests: 0, failed: 0, latencies: [], cacheHits: 0, cacheMisses: 0, batches: 0, batchItems: 0,
  batchBuckets: new Array<number>(BATCH_SIZE_BUCKETS.length + 1).fill(0),
});

function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Per-second figures for the dashboard page, kept for the last `windowSeconds` in a ring of
 * buckets: memory is bounded whatever the traffic. Feed it from the request path (each call is O(1)),
 * serve `snapshot()` as JSON.
 */
export class DashboardSampler {
  readonly #window: number;
  readonly #maxSamples: number;
  readonly #clock: () => number;
  readonly #ring: Bucket[];
  readonly #totals = { requests: 0, failed: 0, cacheHits: 0, cacheMisses: 0, batches: 0 };
  #workers: DashboardWorker[] = [];
  #inFlight = 0;

  constructor(options: DashboardSamplerOptions = {}) {
    const o = parseOptions(DashboardSamplerOptionsSchema, options, 'dashboard sampler');
    // One more bucket than the window: the current, incomplete second.
    this.#window = o.windowSeconds;
    this.#maxSamples = o.maxLatencySamplesPerSecond;
    this.#clock = o.clock;
    this.#ring = Array.from({ length: o.windowSeconds + 1 }, () => emptyBucket(-Infinity));
  }

  #bucket(second = Math.floor(this.#clock() / 1000)): Bucket {
    const index = ((second % this.#ring.length) + this.#ring.length) % this.#ring.length;
    let b = this.#ring[index]!;
    if (b.second !== second) {
      b = emptyBucket(second);
      this.#ring[index] = b;
    }
    return b;
  }

  /** One answered request and its end-to-end latency. */
  recordRequest(latencyMs: number, ok = true): void {
    const b = this.#bucket();
    b.requests++;
    this.#totals.requests++;
    if (!ok) {
      b.failed++;
      this.#totals.failed++;
    }
    if (b.latencies.length < this.#maxSamples) b.latencies.push(latencyMs);
    else b.latencies[b.requests % this.#maxSamples] = latencyMs;
  }

  recordBatch(size: number): void {
    const b = this.#bucket();
    b.batches++;
    b.batchItems += size;
    this.#totals.batches++;
    const i = BATCH_SIZE_BUCKETS.findIndex((le) => size <= le);
    b.batchBuckets[i === -1 ? BATCH_SIZE_BUCKETS.length : i]!++;
  }

  recordCache(hit: boolean): void {
    const b = this.#bucket();
    if (hit) {
      b.cacheHits++;
      this.#totals.cacheHits++;
    } else {
      b.cacheMisses++;
      this.#totals.cacheMisses++;
    }
  }

  setWorkers(workers: readonly DashboardWorker[]): void {
    this.#workers = workers.map((w) => ({ ...w, models: [...w.models] }));
  }

  setInFlight(inFlight: number): void {
    this.#inFlight = Math.max(0, Math.floor(inFlight));
  }

  /** The page's data: the last `windowSeconds` complete seconds, oldest first. */
  snapshot(): DashboardData {
    const now = this.#clock();
    const current = Math.floor(now / 1000);
    const series: DashboardPoint[] = [];
    const batchSizes = new Array<number>(BATCH_SIZE_BUCKETS.length + 1).fill(0);
    let hits = 0;
    let misses = 0;
    for (let second = current - this.#window; second < current; second++) {
      const index = ((second % this.#ring.length) + this.#ring.length) % this.#ring.length;
      const stored = this.#ring[index]!;
      const b = stored.second === second ? stored : emptyBucket(second);
      const sorted = [...b.latencies].sort((x, y) => x - y);
      series.push({
        t: second * 1000, requests: b.requests, failed: b.failed,
        p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99),
        cacheHits: b.cacheHits, cacheMisses: b.cacheMisses,
        batches: b.batches, meanBatchSize: b.batches > 0 ? b.batchItems / b.batches : null,
      });
      b.batchBuckets.forEach((c, i) => (batchSizes[i]! += c));
      hits += b.cacheHits;
      misses += b.cacheMisses;
    }
    const last = series[series.length - 1]!;
    return {
      generatedAtMs: now,
      windowSeconds: this.#window,
      current: {
        throughput: last.requests,
        p50Ms: last.p50Ms,
        p99Ms: last.p99Ms,
        cacheHitRate: hits + misses > 0 ? hits / (hits + misses) : null,
        inFlight: this.#inFlight,
      },
      totals: { ...this.#totals },
      series,
      batchSizes: batchSizes.map((c, i) => ({ le: BATCH_SIZE_BUCKETS[i] ?? null, count: c })),
      workers: this.#workers.map((w) => ({ ...w, models: [...w.models] })),
    };
  }
}
