import { describe, expect, it } from 'vitest';
import { DashboardDataSchema } from './dashboard-data.js';
import { DashboardSampler } from './dashboard-sampler.js';

describe('DashboardSampler', () => {
  it('reports the last complete second, a bounded series and schema-valid data', () => {
    let now = 1_000_000;
    const s = new DashboardSampler({ windowSeconds: 5, clock: () => now });
    for (let i = 1; i <= 100; i++) s.recordRequest(i, i !== 100);
    s.recordBatch(1);
    s.recordBatch(8);
    s.recordBatch(1000);
    s.recordCache(true);
    s.recordCache(true);
    s.recordCache(false);
    s.setWorkers([{ id: 'w1', address: '127.0.0.1:1', models: ['m:1'], state: 'healthy', inFlight: 1, served: 9, failed: 0 }]);
    s.setInFlight(3);
    now += 1000;
    s.recordRequest(5);
    const data = DashboardDataSchema.parse(s.snapshot());
    expect(data.series).toHaveLength(5);
    expect(data.current).toEqual({ throughput: 100, p50Ms: 50, p99Ms: 99, cacheHitRate: 2 / 3, inFlight: 3 });
    expect(data.series.at(-1)).toMatchObject({ requests: 100, failed: 1, batches: 3, meanBatchSize: 1009 / 3 });
    expect(data.series.at(-2)).toMatchObject({ requests: 0, p50Ms: null });
    expect(data.batchSizes.find((b) => b.le === 1)!.count).toBe(1);
    expect(data.batchSizes.find((b) => b.le === 8)!.count).toBe(1);
    expect(data.batchSizes.find((b) => b.le === null)!.count).toBe(1);
    expect(data.totals).toEqual({ requests: 101, failed: 1, cacheHits: 2, cacheMisses: 1, batches: 3 });
    expect(data.workers[0]!.id).toBe('w1');

    // Seconds older than the window fall out; memory does not grow.
    now += 10_000;
    const later = s.snapshot();
    expect(later.series.every((p) => p.requests === 0)).toBe(true);
    expect(later.current.cacheHitRate).toBeNull();
  });

  it('keeps at most maxLatencySamplesPerSecond latencies per second', () => {
    let now = 0;
    const s = new DashboardSampler({ maxLatencySamplesPerSecond: 10, clock: () => now });
    for (let i = 0; i < 10_000; i++) s.recordRequest(i < 5000 ? 1 : 100);
    now = 1000;
    const { current } = s.snapshot();
    expect(current.throughput).toBe(10_000);
    expect(current.p99Ms).toBe(100);
  });
});
