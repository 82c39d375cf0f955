import { z } from 'zod/v4';
import { parseOptions } from '@infermesh/foundation';
import { BATCH_SIZE_BUCKETS } from './metrics.js';
import type { DashboardData, DashboardModel, DashboardPoint, DashboardWorker } from './dashboard-data.js';
import { addTo, bucketOf, newHistogram, quantile } from './dashboard-histogram.js';

export const DashboardSamplerOptionsSchema = z.strictObject({
  /** Seconds of history kept and served for the whole process (the time series, errors by code). */
  windowSeconds: z.int().min(2).max(3600).default(900),
  /** Seconds the per-model rows cover. */
  modelWindowSeconds: z.int().min(1).max(3600).default(60),
  /** Models kept apart per second; more are counted under `(other)`, so memory stays bounded. */
  maxModels: z.int().min(1).max(1024).default(32),
  /** Now, in epoch ms. */
  clock: z.custom<() => number>((v) => typeof v === 'function', 'expected a function').default(() => Date.now),
});
export type DashboardSamplerOptions = z.input<typeof DashboardSamplerOptionsSchema>;

/** Error codes kept apart per second and model; more fall under `other` (the codes are a fixed table, this is a guard). */
const MAX_CODES = 64;
export const OTHER_MODEL = '(other)';

/** What one finished request tells the dashboard. */
export interface DashboardRequest {
  /** `unknown` when the request's model never resolved. */
  model: string;
  /** `ok`, or the error code the client got. */
  outcome: string;
  latencyMs: number;
  /** Time waiting for a batch; `null` when it did not wait (a cache hit, a refusal). */
  queueMs?: number | null;
  /** Time a worker spent on it; `null` when no worker did. */
  computeMs?: number | null;
}

interface Cell {
  requests: number;
  failed: number;
  codes: Map<string, number>;
  latency: Uint32Array;
  queue: Uint32Array;
  compute: Uint32Array;
  cacheHits: number;
  cacheMisses: number;
}

interface Second extends Cell {
  second: number;
  batches: number;
  batchItems: number;
  batchBuckets: number[];
}

interface ModelSecond {
  second: number;
  models: Map<string, Cell>;
}

const emptyCell = (): Cell => ({
  requests: 0, failed: 0, codes: new Map(), latency: newHistogram(), queue: newHistogram(), compute: newHistogram(), cacheHits: 0, cacheMisses: 0,
});
const emptySecond = (second: number): Second => ({
  ...emptyCell(), second, batches: 0, batchItems: 0, batchBuckets: new Array<number>(BATCH_SIZE_BUCKETS.length + 1).fill(0),
});

function record(cell: Cell, r: DashboardRequest): void {
  cell.requests++;
  if (r.outcome !== 'ok') {
    cell.failed++;
    const code = cell.codes.has(r.outcome) || cell.codes.size < MAX_CODES ? r.outcome : 'other';
    cell.codes.set(code, (cell.codes.get(code) ?? 0) + 1);
  }
  cell.latency[bucketOf(r.latencyMs)]!++;
  if (r.queueMs != null) cell.queue[bucketOf(r.queueMs)]!++;
  if (r.computeMs != null) cell.compute[bucketOf(r.computeMs)]!++;
}

function merge(target: Cell, source: Cell): void {
  target.requests += source.requests;
  target.failed += source.failed;
  for (const [code, n] of source.codes) target.codes.set(code, (target.codes.get(code) ?? 0) + n);
  addTo(target.latency, source.latency);
  addTo(target.queue, source.queue);
  addTo(target.compute, source.compute);
  target.cacheHits += source.cacheHits;
  target.cacheMisses += source.cacheMisses;
}

const slot = (second: number, length: number): number => ((second % length) + length) % length;

/**
 * Per-second figures for the dashboard page in two rings: the whole process for the last `windowSeconds`
 * (15 minutes by default), and per model for the last `modelWindowSeconds`. Latencies go into fixed log
 * histograms (see dashboard-histogram.ts), so memory is bounded whatever the traffic: about 1.2 KB per
 * second of the first ring and per model-second of the second, i.e. about 1.1 MB + 2.3 MB at the
 * defaults (900 s; 60 s × 32 models), allocated only for seconds that saw traffic. Each record call is
 * O(1); `snapshot()` is served as JSON.
 */
export class DashboardSampler {
  readonly #window: number;
  readonly #modelWindow: number;
  readonly #maxModels: number;
  readonly #clock: () => number;
  // One more slot than each window: the current, incomplete second.
  readonly #ring: Array<Second | undefined>;
  readonly #modelRing: Array<ModelSecond | undefined>;
  readonly #totals = { requests: 0, failed: 0, cacheHits: 0, cacheMisses: 0, batches: 0 };
  #workers: DashboardWorker[] = [];
  #inFlight = 0;

  constructor(options: DashboardSamplerOptions = {}) {
    const o = parseOptions(DashboardSamplerOptionsSchema, options, 'dashboard sampler');
    this.#window = o.windowSeconds;
    this.#modelWindow = Math.min(o.modelWindowSeconds, o.windowSeconds);
    this.#maxModels = o.maxModels;
    this.#clock = o.clock;
    this.#ring = new Array<Second | undefined>(this.#window + 1);
    this.#modelRing = new Array<ModelSecond | undefined>(this.#modelWindow + 1);
  }

  #now(): number {
    return Math.floor(this.#clock() / 1000);
  }

  #second(second = this.#now()): Second {
    const i = slot(second, this.#ring.length);
    let s = this.#ring[i];
    if (s?.second !== second) this.#ring[i] = s = emptySecond(second);
    return s;
  }

  #modelCell(model: string, second = this.#now()): Cell {
    const i = slot(second, this.#modelRing.length);
    let ms = this.#modelRing[i];
    if (ms?.second !== second) this.#modelRing[i] = ms = { second, models: new Map() };
    const name = ms.models.has(model) || ms.models.size < this.#maxModels ? model : OTHER_MODEL;
    let cell = ms.models.get(name);
    if (!cell) ms.models.set(name, (cell = emptyCell()));
    return cell;
  }

  /** One answered request. */
  recordRequest(request: DashboardRequest): void {
    record(this.#second(), request);
    record(this.#modelCell(request.model), request);
    this.#totals.requests++;
    if (request.outcome !== 'ok') this.#totals.failed++;
  }

  recordBatch(size: number): void {
    const s = this.#second();
    s.batches++;
    s.batchItems += size;
    this.#totals.batches++;
    const i = BATCH_SIZE_BUCKETS.findIndex((le) => size <= le);
    s.batchBuckets[i === -1 ? BATCH_SIZE_BUCKETS.length : i]!++;
  }

  recordCache(model: string, hit: boolean): void {
    const cells = [this.#second(), this.#modelCell(model)];
    for (const cell of cells) {
      if (hit) cell.cacheHits++;
      else cell.cacheMisses++;
    }
    if (hit) this.#totals.cacheHits++;
    else this.#totals.cacheMisses++;
  }

  setWorkers(workers: readonly DashboardWorker[]): void {
    this.#workers = workers.map((w) => ({ ...w, models: [...w.models] }));
  }

  setInFlight(inFlight: number): void {
    this.#inFlight = Math.max(0, Math.floor(inFlight));
  }

  /** The page's data: the last `windowSeconds` complete seconds, oldest first, and the per-model rows. */
  snapshot(): DashboardData {
    const now = this.#clock();
    const current = Math.floor(now / 1000);
    const series: DashboardPoint[] = [];
    const batchSizes = new Array<number>(BATCH_SIZE_BUCKETS.length + 1).fill(0);
    const windowCodes = new Map<string, number>();
    let hits = 0;
    let misses = 0;
    for (let second = current - this.#window; second < current; second++) {
      const stored = this.#ring[slot(second, this.#ring.length)];
      const s = stored?.second === second ? stored : undefined;
      series.push({
        t: second * 1000, requests: s?.requests ?? 0, failed: s?.failed ?? 0,
        p50Ms: s ? quantile(s.latency, 0.5) : null, p99Ms: s ? quantile(s.latency, 0.99) : null,
        queueP50Ms: s ? quantile(s.queue, 0.5) : null, computeP50Ms: s ? quantile(s.compute, 0.5) : null,
        cacheHits: s?.cacheHits ?? 0, cacheMisses: s?.cacheMisses ?? 0,
        batches: s?.batches ?? 0, meanBatchSize: s && s.batches > 0 ? s.batchItems / s.batches : null,
      });
      if (!s) continue;
      s.batchBuckets.forEach((c, i) => (batchSizes[i]! += c));
      for (const [code, n] of s.codes) windowCodes.set(code, (windowCodes.get(code) ?? 0) + n);
      hits += s.cacheHits;
      misses += s.cacheMisses;
    }

    const byModel = new Map<string, Cell>();
    for (let second = current - this.#modelWindow; second < current; second++) {
      const stored = this.#modelRing[slot(second, this.#modelRing.length)];
      if (stored?.second !== second) continue;
      for (const [model, cell] of stored.models) {
        let sum = byModel.get(model);
        if (!sum) byModel.set(model, (sum = emptyCell()));
        merge(sum, cell);
      }
    }
    const recentCodes = new Map<string, number>();
    const models: DashboardModel[] = [...byModel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([model, c]) => {
      for (const [code, n] of c.codes) recentCodes.set(code, (recentCodes.get(code) ?? 0) + n);
      return {
        model, requests: c.requests, failed: c.failed,
        p50Ms: quantile(c.latency, 0.5), p99Ms: quantile(c.latency, 0.99),
        queueP50Ms: quantile(c.queue, 0.5), computeP50Ms: quantile(c.compute, 0.5),
        cacheHits: c.cacheHits, cacheMisses: c.cacheMisses, errors: Object.fromEntries(c.codes),
      };
    });
    const errors = [...windowCodes]
      .map(([code, window]) => ({ code, window, recent: recentCodes.get(code) ?? 0 }))
      .sort((a, b) => b.window - a.window || (a.code < b.code ? -1 : 1));

    const last = series[series.length - 1]!;
    return {
      generatedAtMs: now,
      windowSeconds: this.#window,
      modelWindowSeconds: this.#modelWindow,
      current: {
        throughput: last.requests, p50Ms: last.p50Ms, p99Ms: last.p99Ms,
        cacheHitRate: hits + misses > 0 ? hits / (hits + misses) : null,
        inFlight: this.#inFlight,
      },
      totals: { ...this.#totals },
      series,
      errors,
      models,
      batchSizes: batchSizes.map((c, i) => ({ le: BATCH_SIZE_BUCKETS[i] ?? null, count: c })),
      workers: this.#workers.map((w) => ({ ...w, models: [...w.models] })),
    };
  }
}
