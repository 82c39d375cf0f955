import { describe, expect, it } from 'vitest';
import { SERIES, type FrontDoor, type FrontDoorTag, type Measurement } from '../scenarios/scenario.js';
import { computeFigures } from './figures.js';
import { failoverRows, frontDoorRows } from './front-door-figures.js';

const step = (door: FrontDoor, connections: number, rps: number, p50: number, cpu?: { coordinator: number; modelWorkers: number; proxy?: number }): Measurement => {
  const tag: FrontDoorTag = { model: 'heavy', door };
  return {
    scenario: 'haproxy', series: SERIES.frontDoor(tag), connections, rps, p50, p95: p50 * 2, p99: p50 * 3, ok: 100, errors: 0, durationS: 1, frontDoor: tag,
    ...(cpu ? { cpuMsPerRequest: { ...cpu, processors: 0 } } : {}),
  };
};

describe('frontDoorRows', () => {
  const points = [
    step('two', 1, 400, 2.5, { coordinator: 0.5, modelWorkers: 1, proxy: 0.1 }),
    step('direct', 1, 500, 2, { coordinator: 0.4, modelWorkers: 1 }),
    step('one', 1, 450, 2.2, { coordinator: 0.4, modelWorkers: 1, proxy: 0.1 }),
    step('direct', 16, 2000, 8, { coordinator: 0.2, modelWorkers: 0.8 }),
    step('one', 16, 1800, 9, { coordinator: 0.2, modelWorkers: 0.8, proxy: 0.05 }),
    step('two', 16, 1600, 10, { coordinator: 0.3, modelWorkers: 0.8, proxy: 0.05 }),
  ];
  const rows = frontDoorRows(points);

  it('orders the doors direct first at each connection count and rates each against direct', () => {
    expect(rows.map((r) => [r.connections, r.door])).toEqual([[1, 'direct'], [1, 'one'], [1, 'two'], [16, 'direct'], [16, 'one'], [16, 'two']]);
    expect(rows[0]?.vsDirect).toBeUndefined();
    const one = rows[1]!;
    expect(one.vsDirect?.rps).toBeCloseTo(0.9, 9);
    expect(one.vsDirect?.p50).toBeCloseTo(1.1, 9);
    expect(one.vsDirect?.p50AddedMs).toBeCloseTo(0.2, 9);
    expect(one.cpu).toEqual({ coordinators: 0.4, workers: 1, proxy: 0.1, total: 1.5 });
    expect(one.vsDirect?.totalCpu).toBeCloseTo(1.5 / 1.4, 9);
    expect(rows[3]?.cpu?.proxy).toBe(0);
    expect(rows[5]?.vsDirect?.coordinatorCpu).toBeCloseTo(1.5, 9);
  });

  it('quotes HAProxy\'s p50 at the lowest load and two coordinators\' CPU over one\'s at the highest', () => {
    const { headlines } = computeFigures(points);
    const h = (part: string) => headlines.find((x) => x.name.includes(part));
    expect(h('HAProxy → 1 coordinator p50 ÷ direct p50')).toMatchObject({ connections: 1 });
    expect(h('HAProxy → 1 coordinator p50 ÷ direct p50')?.value).toBeCloseTo(1.1, 9);
    expect(h('HAProxy → 2 ÷ HAProxy → 1')).toMatchObject({ connections: 16 });
    expect(h('HAProxy → 2 ÷ HAProxy → 1')?.value).toBeCloseTo(1.5, 9);
    expect(h('req/s, HAProxy → 2 coordinators ÷ direct')?.value).toBeCloseTo(0.8, 9);
    // Nothing measured on the demo MLP: no headline for it rather than a NaN.
    expect(headlines.some((x) => x.name.startsWith('demo'))).toBe(false);
  });

  it('leaves CPU ratios out when CPU was not read, and keeps the failover step apart', () => {
    const failover: Measurement = { ...step('two', 16, 1000, 9), series: SERIES.frontDoor({ model: 'heavy', door: 'two', failover: true }), frontDoor: { model: 'heavy', door: 'two', failover: true }, failover: { killedAtS: 2, failed: 0, maxLatencyMs: 900 } };
    const r = frontDoorRows([step('direct', 1, 500, 2), step('one', 1, 450, 2.2), failover]);
    expect(r).toHaveLength(2);
    expect(r[1]?.vsDirect).not.toHaveProperty('coordinatorCpu');
    expect(failoverRows([failover])).toEqual([{ model: 'heavy', connections: 16, ok: 100, killedAtS: 2, failed: 0, maxLatencyMs: 900 }]);
  });
});
