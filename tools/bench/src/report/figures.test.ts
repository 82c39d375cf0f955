import { describe, expect, it } from 'vitest';
import { SERIES, type BaselineModel, type BaselineSystem, type Measurement, type Protocol, type SeriesName } from '../scenarios/scenario.js';
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
    m(SERIES.coordinatorHttpNpmStart, 16, 6000, 2),
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
    // Against nginx: the noop as npm start serves it carries the goal; on a worker process, the figure alone.
    const nginx = figures.headlines.find((h) => h.name.includes('npm start / nginx'));
    expect(nginx).toMatchObject({ value: 0.6, connections: 16, goal: { min: 0.5 } });
    expect(goalMet(nginx!)).toBe(true);
    const remote = figures.headlines.find((h) => h.name.includes('worker process / nginx'));
    expect(remote).toMatchObject({ value: 0.3, connections: 16 });
    expect(remote?.goal).toBeUndefined();
    // No 2-worker series measured: no such headline rather than a NaN.
    expect(figures.headlines.some((h) => h.name.includes('2 workers'))).toBe(false);
  });

  it("sets the runtime's own batching gain beside the engine's batching on / off, without a goal", () => {
    const f = computeFigures([
      m(SERIES.mlp, 64, 4000, 15), m(SERIES.mlpBatching, 64, 8800, 7),
      m(SERIES.runtimeSingle, 1, 13_000, 0.07), m(SERIES.runtimeBatched, 1, 42_000, 1.5),
    ]);
    const onOff = f.headlines.find((h) => h.name === 'heavy mlp 64→1024→1024→16 req/s, batching on / off');
    const runtime = f.headlines.find((h) => h.name === 'heavy mlp 64→1024→1024→16 rows/s, ONNX Runtime alone, 64 rows per run / 1');
    expect(onOff).toMatchObject({ value: 2.2, connections: 64, goal: { min: 4 } });
    expect(runtime).toMatchObject({ value: 42_000 / 13_000, connections: 1 });
    expect(runtime?.goal).toBeUndefined();
    // The noop's throughput through the same coordinator and worker process bounds the "on" side.
    const g = computeFigures([m(SERIES.mlp, 64, 2800, 21), m(SERIES.coordinatorHttp, 64, 10_000, 5), m(SERIES.coordinatorHttp, 16, 6_500, 2)]);
    const bound = g.headlines.find((h) => h.name.startsWith('heavy mlp 64→1024→1024→16 batching on / off could reach at most'));
    expect(bound).toMatchObject({ value: 10_000 / 2800, connections: 64 });
    expect(bound?.goal).toBeUndefined();
    // One runtime series alone: no headline without both.
    expect(computeFigures([m(SERIES.runtimeSingle, 1, 13_000, 0.07)]).headlines.some((h) => h.name.includes('ONNX Runtime alone'))).toBe(false);
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

describe('computeFigures, the protocols scenario', () => {
  // The main thread spends a quarter of the process's CPU in every step here.
  const step = (model: BaselineModel, protocol: Protocol, connections: number, rps: number, p50: number, cpuMsPerAnswer?: number): Measurement => ({
    ...m(SERIES.protocol({ model, protocol }), connections, rps, p50), protocol: { model, protocol },
    ...(cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer, mainThreadCpuMsPerAnswer: cpuMsPerAnswer / 4 } : {}),
  });
  const points = [
    step('heavy', 'grpc', 64, 3000, 20, 0.5),
    step('heavy', 'json', 64, 2000, 30, 1),
    step('heavy', 'binary', 64, 2500, 24, 0.8),
    step('heavy', 'json', 1, 500, 2, 1.2),
    step('heavy', 'grpc', 1, 600, 1.5, 0.9),
    step('heavy', 'binary', 1, 550, 1.8),
    m(SERIES.floor, 1, 1000, 0.5),
  ];
  const f = computeFigures(points);

  it('rows each protocol by connections, JSON HTTP first, over the floor where it ran and over JSON HTTP', () => {
    expect(f.protocols.map((r) => [r.connections, r.protocol])).toEqual([[1, 'json'], [1, 'binary'], [1, 'grpc'], [64, 'json'], [64, 'binary'], [64, 'grpc']]);
    expect(f.protocols[0]).toMatchObject({ rps: 500, p50: 2, cpuMsPerAnswer: 1.2, vsFloor: { rps: 0.5, p50: 4, p99: 4 } });
    expect(f.protocols[0]?.vsJson).toBeUndefined();
    expect(f.protocols[2]?.vsJson).toEqual({ rps: 1.2, p50: 0.75, p99: 0.75, cpuMsPerAnswer: 0.75, mainThreadCpuMsPerAnswer: 0.75 });
    expect(f.protocols[2]?.mainThreadCpuMsPerAnswer).toBe(0.225);
    // No CPU figure on binary at 1 connection: no CPU ratio rather than a NaN.
    expect(f.protocols[1]?.vsJson).toEqual({ rps: 1.1, p50: 0.9, p99: 0.9 });
    // No floor at 64 connections: no floor ratios.
    expect(f.protocols[3]?.vsFloor).toBeUndefined();
    expect(f.protocols[5]?.vsJson).toEqual({ rps: 1.5, p50: 20 / 30, p99: 20 / 30, cpuMsPerAnswer: 0.5, mainThreadCpuMsPerAnswer: 0.5 });
  });

  it('quotes binary and gRPC over JSON HTTP without goals: req/s and CPU at the most connections, p50 at the fewest', () => {
    const h = (name: string) => f.headlines.find((x) => x.name === `heavy mlp 64→1024→1024→16: ${name}`);
    expect(h('gRPC req/s ÷ JSON HTTP req/s')).toEqual({ name: expect.any(String), value: 1.5, connections: 64 });
    expect(h('gRPC p50 ÷ JSON HTTP p50')).toMatchObject({ value: 0.75, connections: 1 });
    expect(h("gRPC coordinator CPU ms/answer ÷ JSON HTTP's")).toMatchObject({ value: 0.5, connections: 64 });
    expect(h('binary HTTP req/s ÷ JSON HTTP req/s')).toMatchObject({ value: 1.25, connections: 64 });
    expect(h("binary HTTP coordinator CPU ms/answer ÷ JSON HTTP's")).toMatchObject({ value: 0.8, connections: 64 });
    expect(h("binary HTTP coordinator main thread CPU ms/answer ÷ JSON HTTP's")).toMatchObject({ value: 0.8, connections: 64 });
    expect(f.headlines.filter((x) => x.name.includes('JSON HTTP')).every((x) => x.goal === undefined)).toBe(true);
    // The demo MLP did not run: no headline for it.
    expect(f.headlines.some((x) => x.name.startsWith('demo mlp'))).toBe(false);
  });

  it('has no protocol rows when the scenario did not run', () => {
    expect(computeFigures([m(SERIES.floor, 1, 1000, 0.5)]).protocols).toEqual([]);
  });
});
