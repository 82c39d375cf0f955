import { describe, expect, it } from 'vitest';
import { DashboardDataSchema } from './dashboard-data.js';
import { bucketOf, bucketValue, HISTOGRAM_BUCKETS, newHistogram, quantile } from './dashboard-histogram.js';
import { DashboardSampler, OTHER_MODEL } from './dashboard-sampler.js';

/** Within the histogram's ±9% (4 buckets per doubling). */
const near = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(actual! / expected).toBeGreaterThan(0.9);
  expect(actual! / expected).toBeLessThan(1.1);
};

describe('dashboard histogram', () => {
  it('reads quantiles within ±9% across its range, clamps outside it, and is empty-safe', () => {
    for (const v of [0.02, 0.5, 3, 47, 999, 120_000]) {
      const h = newHistogram();
      h[bucketOf(v)]!++;
      near(quantile(h, 0.5), v);
    }
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-1)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(1e12)).toBe(HISTOGRAM_BUCKETS - 1);
    expect(bucketValue(HISTOGRAM_BUCKETS - 1)).toBeGreaterThan(140_000);
    expect(quantile(newHistogram(), 0.5)).toBeNull();
  });
});

describe('DashboardSampler', () => {
  it('reports the last complete second, errors by code, per-model rows, queue vs compute, and schema-valid data', () => {
    let now = 1_000_000;
    const s = new DashboardSampler({ windowSeconds: 5, modelWindowSeconds: 3, clock: () => now });
    for (let i = 1; i <= 100; i++) {
      s.recordRequest({ model: i % 4 === 0 ? 'b' : 'a', outcome: i === 100 ? 'IM_INVALID_INPUT' : 'ok', latencyMs: i, queueMs: 2, computeMs: 7 });
    }
    s.recordRequest({ model: 'unknown', outcome: 'IM_MODEL_NOT_FOUND', latencyMs: 0.1 });
    s.recordBatch(1);
    s.recordBatch(8);
    s.recordBatch(1000);
    s.recordCache('a', true);
    s.recordCache('a', true);
    s.recordCache('b', false);
    s.setWorkers([{ id: 'w1', address: '127.0.0.1:1', models: ['m:1'], state: 'healthy', inFlight: 1, served: 9, failed: 0 }]);
    s.setInFlight(3);
    now += 1000;
    s.recordRequest({ model: 'a', outcome: 'IM_OVERLOADED', latencyMs: 5 });
    const data = DashboardDataSchema.parse(s.snapshot());
    expect(data.series).toHaveLength(5);
    expect(data.current.throughput).toBe(101);
    near(data.current.p50Ms, 50);
    near(data.current.p99Ms, 99);
    expect(data.current.cacheHitRate).toBeCloseTo(2 / 3, 9);
    expect(data.current.inFlight).toBe(3);
    const last = data.series.at(-1)!;
    expect(last).toMatchObject({ requests: 101, failed: 2, batches: 3, meanBatchSize: 1009 / 3 });
    near(last.queueP50Ms, 2);
    near(last.computeP50Ms, 7);
    expect(data.series.at(-2)).toMatchObject({ requests: 0, p50Ms: null, queueP50Ms: null });
    expect(data.batchSizes.find((b) => b.le === 1)!.count).toBe(1);
    expect(data.batchSizes.find((b) => b.le === null)!.count).toBe(1);
    expect(data.totals).toEqual({ requests: 102, failed: 3, cacheHits: 2, cacheMisses: 1, batches: 3 });
    // The incomplete second (IM_OVERLOADED) is not in the window yet.
    expect(data.errors).toEqual([{ code: 'IM_INVALID_INPUT', window: 1, recent: 1 }, { code: 'IM_MODEL_NOT_FOUND', window: 1, recent: 1 }]);
    expect(data.models.map((m) => [m.model, m.requests, m.failed, m.cacheHits, m.cacheMisses])).toEqual([
      ['a', 75, 0, 2, 0], ['b', 25, 1, 0, 1], ['unknown', 1, 1, 0, 0],
    ]);
    expect(data.models.find((m) => m.model === 'b')!.errors).toEqual({ IM_INVALID_INPUT: 1 });
    expect(data.models.find((m) => m.model === 'unknown')!.computeP50Ms).toBeNull();

    // Past the model window the rows go, the 15-minute errors stay; past the window everything goes.
    now += 3000;
    const mid = s.snapshot();
    expect(mid.models.map((m) => m.model)).toEqual(['a']);
    expect(mid.errors).toEqual([
      { code: 'IM_INVALID_INPUT', window: 1, recent: 0 }, { code: 'IM_MODEL_NOT_FOUND', window: 1, recent: 0 }, { code: 'IM_OVERLOADED', window: 1, recent: 1 },
    ]);
    now += 10_000;
    const later = s.snapshot();
    expect(later.series.every((p) => p.requests === 0)).toBe(true);
    expect(later.current.cacheHitRate).toBeNull();
    expect(later.errors).toEqual([]);
    expect(later.models).toEqual([]);
  });

  it('keeps 15 minutes by default and at most maxModels models apart per second', () => {
    let now = 0;
    const s = new DashboardSampler({ maxModels: 2, clock: () => now });
    for (const model of ['a', 'b', 'c', 'd', 'a']) s.recordRequest({ model, outcome: 'ok', latencyMs: 1 });
    now = 1000;
    const data = s.snapshot();
    expect(data.windowSeconds).toBe(900);
    expect(data.series).toHaveLength(900);
    expect(data.models.map((m) => [m.model, m.requests])).toEqual([[OTHER_MODEL, 2], ['a', 2], ['b', 1]]);
    now = 900_000;
    expect(s.snapshot().totals.requests).toBe(5);
    expect(s.snapshot().series[0]!.requests).toBe(5);
    now = 901_000;
    expect(s.snapshot().series.some((p) => p.requests > 0)).toBe(false);
  });
});
