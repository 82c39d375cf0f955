import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentile } from './latency-recorder.js';

describe('percentile', () => {
  it('takes the nearest rank of ascending samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 50)).toBe(7);
  });
  it('is NaN without samples and refuses a percent out of range', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('LatencyRecorder', () => {
  it('keeps sub-millisecond samples past its initial capacity and sorts them numerically', () => {
    const r = new LatencyRecorder();
    for (let i = 5000; i >= 1; i--) r.record(i / 10_000); // 0.0001 … 0.5 ms, recorded descending
    const s = r.summary();
    expect(s.count).toBe(5000);
    expect(s.p50).toBeCloseTo(0.25, 6);
    expect(s.p99).toBeCloseTo(0.495, 6);
    expect(s.max).toBe(0.5);
    expect(s.mean).toBeCloseTo(0.25005, 6);
  });
});
