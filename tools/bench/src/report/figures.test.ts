import { describe, expect, it } from 'vitest';
import { SERIES, type Measurement, type SeriesName } from '../scenarios/scenario.js';
import { computeFigures, goalMet } from './figures.js';

const m = (series: SeriesName, connections: number, rps: number, p50: number): Measurement => ({
  scenario: 's', series, connections, rps, p50, p95: p50 * 2, p99: p50 * 3, ok: 1, errors: 0, durationS: 1,
});

describe('computeFigures', () => {
  const points = [
    m(SERIES.floor, 1, 1000, 0.5),
    m(SERIES.floor, 16, 8000, 2),
    m(SERIES.coordinatorHttp, 1, 500, 0.9),
    m(SERIES.coordinatorHttp, 16, 3000, 5),
    m(SERIES.nginx, 16, 10_000, 1.5),
    m(SERIES.mlp, 64, 900, 10),
  ];
  const figures = computeFigures(points);

  it('rates each step against the floor at the same connections', () => {
    const c16 = figures.points.find((p) => p.series === SERIES.coordinatorHttp && p.connections === 16);
    expect(c16?.vsFloor).toEqual({ rps: 3000 / 8000, p50: 2.5, p95: 2.5, p99: 2.5 });
    expect(figures.points.find((p) => p.series === SERIES.mlp)?.vsFloor).toBeUndefined();
  });

  it('quotes the headline ratios with their goals', () => {
    const p50 = figures.headlines.find((h) => h.name.startsWith('coordinator HTTP p50'));
    expect(p50).toMatchObject({ value: 1.8, connections: 1, goal: { max: 2 } });
    expect(goalMet(p50!)).toBe(true);
    const nginx = figures.headlines.find((h) => h.name.includes('nginx'));
    expect(nginx).toMatchObject({ value: 0.3, connections: 16, goal: { min: 0.5 } });
    expect(goalMet(nginx!)).toBe(false);
    // No 2-worker series measured: no such headline rather than a NaN.
    expect(figures.headlines.some((h) => h.name.includes('2 workers'))).toBe(false);
  });

  it('sets each disaggregated placement beside co-located at the same text length and connections', () => {
    const placed = (words: number, variant: 'colocated' | 'disaggregated' | 'disaggregated2', connections: number, rps: number, p99: number): Measurement => ({
      ...m(SERIES.placement(words, variant), connections, rps, p99 / 3), p99, placement: { words, variant },
    });
    const f = computeFigures(
      [
        placed(2000, 'disaggregated2', 64, 300, 90),
        placed(20, 'colocated', 64, 1000, 30),
        placed(20, 'disaggregated', 64, 500, 60),
        placed(2000, 'colocated', 64, 200, 120),
        placed(2000, 'colocated', 16, 180, 40),
      ],
      [{ words: 2000, p50Ms: 1, p99Ms: 2, bodyBytes: 18_000, bowBytes: 13_528 }, { words: 20, p50Ms: 0.05, p99Ms: 0.1, bodyBytes: 250, bowBytes: 13_528 }],
    );
    expect(f.placement.map((r) => [r.words, r.connections, r.variant])).toEqual([
      [20, 64, 'colocated'], [20, 64, 'disaggregated'], [2000, 16, 'colocated'], [2000, 64, 'colocated'], [2000, 64, 'disaggregated2'],
    ]);
    expect(f.placement[0]?.vsColocated).toBeUndefined();
    expect(f.placement[1]?.vsColocated).toEqual({ rps: 0.5, p50: 2, p99: 2 });
    expect(f.placement[4]?.vsColocated?.rps).toBe(1.5);
    expect(f.preprocessCosts.map((c) => c.words)).toEqual([20, 2000]);
    const h = (name: string) => f.headlines.find((x) => x.name === name);
    expect(h('sentiment 20 words req/s, disaggregated 1 worker + 1 processor / co-located 2 workers')).toMatchObject({ value: 0.5, connections: 64 });
    expect(h('sentiment 2000 words p99, disaggregated 1 worker + 2 processors / co-located 2 workers')).toMatchObject({ value: 0.75, connections: 64 });
    // Not measured: no headline.
    expect(h('sentiment 20 words req/s, disaggregated 1 worker + 2 processors / co-located 2 workers')).toBeUndefined();
  });
});
