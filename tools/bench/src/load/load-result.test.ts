import { describe, expect, it } from 'vitest';
import { medianOfRounds, type LoadResult } from './load-result.js';

const round = (rps: number, p50: number, extra: Partial<LoadResult> = {}): LoadResult => ({
  rps, latency: { p50, p95: p50 * 2, p99: p50 * 3, mean: p50, max: p50 * 10, count: rps }, ok: rps, errors: 1, durationS: 2, ...extra,
});

describe('medianOfRounds', () => {
  it('takes each figure’s median on its own and sums the counts', () => {
    const m = medianOfRounds([round(900, 0.5), round(100, 0.2), round(500, 0.9)]);
    expect(m.rps).toBe(500);
    // The latency median comes from another round than the req/s median: each figure on its own.
    expect(m.latency.p50).toBe(0.5);
    expect(m.latency.p99).toBeCloseTo(1.5);
    expect(m.latency.max).toBe(9);
    expect(m.latency.count).toBe(1500);
    expect([m.ok, m.errors, m.durationS]).toEqual([1500, 3, 6]);
  });

  it('averages the middle two of an even number of rounds', () => {
    expect(medianOfRounds([round(1, 1), round(4, 1), round(2, 1), round(3, 1)]).rps).toBe(2.5);
  });

  it('keeps CPU figures (by role, and the proxy’s) only when every round has them', () => {
    const cpu = (coordinator: number) => ({ cpuMsPerAnswer: coordinator + 1, cpuMsPerRequest: { coordinator, modelWorkers: 1, processors: 0, proxy: 2 } });
    const m = medianOfRounds([round(1, 1, cpu(0.3)), round(1, 1, cpu(0.1)), round(1, 1, cpu(0.2))]);
    expect(m.cpuMsPerRequest).toEqual({ coordinator: 0.2, modelWorkers: 1, processors: 0, proxy: 2 });
    expect(m.cpuMsPerAnswer).toBeCloseTo(1.2);
    const partial = medianOfRounds([round(1, 1, cpu(0.3)), round(1, 1)]);
    expect(partial.cpuMsPerRequest).toBeUndefined();
    expect(partial.cpuMsPerAnswer).toBeUndefined();
  });

  it('refuses no rounds', () => {
    expect(() => medianOfRounds([])).toThrow(RangeError);
  });
});
