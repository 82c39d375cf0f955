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
});
