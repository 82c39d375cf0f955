import { describe, expect, it } from 'vitest';
import { SERIES, type BaselineModel, type BaselineSystem, type Measurement, type SeriesName } from '../scenarios/scenario.js';
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

  it('sets every plain-server system beside the plain server on the same model, with the goals of issue #18', () => {
    const layout: BaselineSystem = { kind: 'infermesh', layout: 'npm start layout: coordinator + 2 workers' };
    const ray: BaselineSystem = { kind: 'peer', peer: 'Ray Serve, 2 replicas, @serve.batch' };
    const plain: BaselineSystem = { kind: 'plain' };
    const step = (model: BaselineModel, system: BaselineSystem, connections: number, rps: number, p50: number, cpu?: number): Measurement => ({
      ...m(SERIES.baseline({ model, system }), connections, rps, p50), scenario: 'plain-server', baseline: { model, system },
      ...(cpu !== undefined ? { cpuMsPerAnswer: cpu } : {}),
    });
    const f = computeFigures([
      step('heavy', layout, 64, 2500, 20, 1.2),
      step('heavy', plain, 64, 1000, 60, 1),
      step('demo', ray, 1, 53, 17.8),
      step('demo', layout, 1, 170, 5.4, 0.5),
      step('demo', plain, 1, 8000, 0.1, 0.1),
      step('demo', plain, 64, 14_000, 4, 0.12),
      { ...step('demo', layout, 64, 5278, 10.8, 0.6), cpuMsPerRequest: { coordinator: 0.4, modelWorkers: 0.2, processors: 0 } },
      step('demo', ray, 64, 142, 438),
    ]);
    expect(f.baseline.map((r) => [r.model, r.connections, r.system.kind])).toEqual([
      ['demo', 1, 'plain'], ['demo', 1, 'infermesh'], ['demo', 1, 'peer'],
      ['demo', 64, 'plain'], ['demo', 64, 'infermesh'], ['demo', 64, 'peer'],
      ['heavy', 64, 'plain'], ['heavy', 64, 'infermesh'],
    ]);
    expect(f.baseline[0]?.vsPlain).toBeUndefined();
    expect(f.baseline[1]?.vsPlain).toEqual({ rps: 170 / 8000, p50: 54, cpuMsPerAnswer: 5 });
    // The peer's CPU was not measured: no CPU ratio rather than a NaN.
    expect(f.baseline[5]?.vsPlain).toEqual({ rps: 142 / 14_000, p50: 438 / 4 });
    expect(f.baseline[4]?.cpuMsPerRequest).toEqual({ coordinator: 0.4, modelWorkers: 0.2, processors: 0 });

    const h = (name: string) => f.headlines.find((x) => x.name === name);
    const demo = 'demo mlp 64→256→256→16: infermesh, npm start layout: coordinator + 2 workers';
    const heavy = 'heavy mlp 64→1024→1024→16: infermesh, npm start layout: coordinator + 2 workers';
    expect(h(`${demo} req/s ÷ plain server req/s`)).toMatchObject({ value: 5278 / 14_000, connections: 64, goal: { min: 1 } });
    expect(goalMet(h(`${demo} req/s ÷ plain server req/s`)!)).toBe(false);
    expect(h(`${demo} p50 ÷ plain server p50`)).toMatchObject({ value: 54, connections: 1, goal: { max: 2 } });
    expect(h(`${demo} CPU ms/answer ÷ plain server's`)).toMatchObject({ value: 5, connections: 64, goal: { max: 1.5 } });
    expect(h(`${heavy} req/s ÷ plain server req/s`)).toMatchObject({ value: 2.5, connections: 64, goal: { min: 2 } });
    expect(goalMet(h(`${heavy} req/s ÷ plain server req/s`)!)).toBe(true);
    expect(goalMet(h(`${heavy} CPU ms/answer ÷ plain server's`)!)).toBe(true);
    // Neither was measured at 1 connection on the heavy model: no headline.
    expect(h(`${heavy} p50 ÷ plain server p50`)).toBeUndefined();
    // Ahead of the peer at every load: the lowest of 170/53 (1 connection) and 5278/142 (64).
    expect(h(`${demo} req/s ÷ Ray Serve, 2 replicas, @serve.batch req/s (lowest over connections)`)).toMatchObject({ value: 170 / 53, connections: 1, goal: { min: 1 } });
    expect(h('demo mlp 64→256→256→16: Ray Serve, 2 replicas, @serve.batch req/s ÷ plain server req/s')).toMatchObject({ value: 142 / 14_000, connections: 64 });
    expect(h('demo mlp 64→256→256→16: Ray Serve, 2 replicas, @serve.batch req/s ÷ plain server req/s')?.goal).toBeUndefined();
  });
});
