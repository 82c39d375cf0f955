import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../tests/manual-clock.js';
import { LatencyEstimator, LoadBalancer } from '../index.js';

function serve(lb: LoadBalancer<string>, clock: ManualClock, latency: Record<string, number>): string {
  const lease = lb.tryAcquire();
  clock.advance(1);
  lease.release({ ok: true, latencyMs: latency[lease.id] ?? 0 });
  return lease.id;
}

describe('least-latency', () => {
  it('prefers the faster endpoint, then re-probes the slow one once its penalty has decayed', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({
      strategy: 'least-latency',
      clock,
      leastLatency: { decayMs: 100, penaltyHalfLifeMs: 1_000 },
    });
    lb.add('fast', 'fast');
    lb.add('slow', 'slow');
    const latency = { fast: 10, slow: 100 };
    // Unsampled endpoints cost 0 while idle: each gets a first probe.
    const warm = [serve(lb, clock, latency), serve(lb, clock, latency)];
    expect(warm.sort()).toEqual(['fast', 'slow']);

    const picks: string[] = [];
    for (let i = 0; i < 5_000; i++) picks.push(serve(lb, clock, latency));
    const firstSlow = picks.indexOf('slow');
    // 100 ms must halve log2(10) ≈ 3.32 times to look as cheap as 10 ms: ≈ 3322 ms at 1 ms per request.
    expect(firstSlow).toBeGreaterThan(3_250);
    expect(firstSlow).toBeLessThan(3_400);
    expect(picks.slice(0, firstSlow).every((id) => id === 'fast')).toBe(true);
    // The probe's sample (100 ms again) resets the penalty: the next ~3.3 s go to 'fast' again.
    expect(picks.slice(firstSlow + 1, firstSlow + 3_000).every((id) => id === 'fast')).toBe(true);
  });

  it('re-probes a once-slow endpoint and keeps using it when it has recovered', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ strategy: 'least-latency', clock, leastLatency: { decayMs: 100, penaltyHalfLifeMs: 200 } });
    lb.add('a', 'a');
    lb.add('b', 'b');
    const latency = { a: 10, b: 100 };
    for (let i = 0; i < 50; i++) serve(lb, clock, latency);
    latency.b = 5; // b recovers; only a probe can tell
    const later: string[] = [];
    for (let i = 0; i < 2_000; i++) later.push(serve(lb, clock, latency));
    expect(later.slice(-100).filter((id) => id === 'b').length).toBeGreaterThan(50);
  });

  it('weighs cost by outstanding requests so a fast endpoint is not swamped', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ strategy: 'least-latency', clock });
    lb.add('a', 'a');
    lb.add('b', 'b');
    for (let i = 0; i < 20; i++) serve(lb, clock, { a: 10, b: 30 });
    const held = Array.from({ length: 8 }, () => lb.tryAcquire().id);
    // a costs 10·(n+1), b costs ≈30·(m+1): a takes about three of every four.
    expect(held.filter((id) => id === 'b').length).toBeGreaterThanOrEqual(1);
    expect(held.filter((id) => id === 'a').length).toBeGreaterThan(held.filter((id) => id === 'b').length);
  });
});

describe('LatencyEstimator', () => {
  it('jumps up on a peak, decays down smoothly, and halves its cost every penaltyHalfLifeMs without samples', () => {
    const e = new LatencyEstimator(100, 1_000);
    expect(e.cost(0)).toBeUndefined();
    e.observe(0, 10);
    e.observe(10, 50);
    expect(e.ewmaMs).toBe(50);
    e.observe(110, 10);
    expect(e.ewmaMs).toBeCloseTo(50 * Math.exp(-1) + 10 * (1 - Math.exp(-1)), 9);
    const ewma = e.ewmaMs ?? 0;
    expect(e.cost(1_110)).toBeCloseTo(ewma / 2, 9);
    expect(e.cost(2_110)).toBeCloseTo(ewma / 4, 9);
  });
});
