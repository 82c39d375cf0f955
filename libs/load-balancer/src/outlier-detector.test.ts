import { describe, expect, it } from 'vitest';
import { ManualClock } from '../tests/manual-clock.js';
import { LoadBalancer, type StateChangeEvent } from './index.js';

function setup(ids: string[], outlier: { maxEjectionPercent?: number } = {}) {
  const clock = new ManualClock();
  const lb = new LoadBalancer<string>({
    clock,
    panicThreshold: 0,
    outlier: { consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 2_500, maxEjectionPercent: 50, ...outlier },
  });
  for (const id of ids) lb.add(id, id);
  const events: StateChangeEvent[] = [];
  lb.on('state', (e) => events.push(e));
  const fail = (id: string, n: number) => {
    for (let i = 0; i < n; i++) lb.tryAcquire({ exclude: new Set(ids.filter((x) => x !== id)) }).release({ ok: false });
  };
  const state = (id: string) => lb.snapshot().endpoints.find((e) => e.id === id)?.state;
  return { clock, lb, events, fail, state };
}

describe('outlier detection', () => {
  it('ejects after N consecutive endpoint failures, for base × times ejected, capped, then restores', () => {
    const { clock, lb, events, fail, state } = setup(['a', 'b']);
    fail('a', 2);
    lb.tryAcquire({ exclude: new Set(['b']) }).release({ ok: true, latencyMs: 1 }); // breaks the streak
    fail('a', 2);
    expect(state('a')).toBe('healthy');
    fail('a', 1);
    expect(state('a')).toBe('ejected');
    expect(events.at(-1)).toEqual({ id: 'a', from: 'healthy', to: 'ejected', reason: '3 consecutive endpoint failures: ejected for 1000 ms' });
    expect(Array.from({ length: 3 }, () => lb.tryAcquire().id)).toEqual(['b', 'b', 'b']);

    clock.advance(999);
    expect(state('a')).toBe('ejected');
    clock.advance(1);
    expect(state('a')).toBe('healthy');
    expect(events.at(-1)).toEqual({ id: 'a', from: 'ejected', to: 'healthy', reason: 'ejection ended' });

    fail('a', 3); // second ejection: 2 × base
    expect(events.at(-1)?.reason).toContain('ejected for 2000 ms');
    clock.advance(2_000);
    fail('a', 3); // third: 3 × base = 3000, capped at 2500
    expect(events.at(-1)?.reason).toContain('ejected for 2500 ms');
    clock.advance(2_499);
    expect(state('a')).toBe('ejected');
    clock.advance(1);
    expect(state('a')).toBe('healthy');
    expect(lb.snapshot().endpoints.find((e) => e.id === 'a')?.ejections).toBe(3);
  });

  it('shortens the next ejection again after the endpoint stays in for a while', () => {
    const { clock, events, fail } = setup(['a', 'b']);
    fail('a', 3);
    clock.advance(1_000);
    fail('a', 3);
    expect(events.at(-1)?.reason).toContain('ejected for 2000 ms');
    clock.advance(2_000 + 2_000); // restored for 2 × base: the count drops by two
    fail('a', 3);
    expect(events.at(-1)?.reason).toContain('ejected for 1000 ms');
  });

  it('never ejects more than maxEjectionPercent of the endpoints', () => {
    const { clock, fail, state } = setup(['a', 'b', 'c', 'd'], { maxEjectionPercent: 50 });
    fail('a', 3);
    fail('b', 3);
    fail('c', 3);
    expect(['a', 'b', 'c'].map(state)).toEqual(['ejected', 'ejected', 'healthy']);
    clock.advance(1_000);
    // c kept its streak: one more failure ejects it now that there is room.
    fail('c', 1);
    expect(state('c')).toBe('ejected');
  });

  it('does not count failure: "request" against the endpoint', () => {
    const { lb, state } = setup(['a', 'b']);
    for (let i = 0; i < 10; i++) lb.tryAcquire({ exclude: new Set(['b']) }).release({ ok: false, failure: 'request', latencyMs: 2 });
    expect(state('a')).toBe('healthy');
    const a = lb.snapshot().endpoints.find((e) => e.id === 'a');
    expect(a).toMatchObject({ requests: 10, failures: 0, requestFailures: 10, errorRate: 0 });
    for (let i = 0; i < 3; i++) lb.tryAcquire({ exclude: new Set(['b']) }).release({ ok: false, failure: 'endpoint' });
    expect(state('a')).toBe('ejected');
    expect(lb.snapshot().endpoints.find((e) => e.id === 'a')?.errorRate).toBeCloseTo(3 / 13, 9);
  });

  it('can be disabled', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock, outlier: { enabled: false } });
    lb.add('a', 'a');
    for (let i = 0; i < 20; i++) lb.tryAcquire().release({ ok: false });
    expect(lb.snapshot().endpoints[0]?.state).toBe('healthy');
  });
});
