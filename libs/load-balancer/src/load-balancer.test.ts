import { describe, expect, it } from 'vitest';
import { ManualClock } from '../tests/manual-clock.js';
import {
  DuplicateEndpointError, LoadBalancer, LoadBalancerClosedError, NoEndpointError, UnknownEndpointError, type MembershipEvent,
  type PanicEvent, type StateChangeEvent,
} from './index.js';

const ejectNow = (lb: LoadBalancer<string>, id: string, others: string[]) => {
  for (let i = 0; i < 5; i++) lb.tryAcquire({ exclude: new Set(others) }).release({ ok: false });
};

describe('membership and leases', () => {
  it('throws typed errors for no endpoint, duplicates, unknown ids and use after close', async () => {
    const lb = new LoadBalancer<string>();
    expect(() => lb.tryAcquire()).toThrow(NoEndpointError);
    lb.add('a', 'a');
    expect(() => lb.add('a', 'again')).toThrow(DuplicateEndpointError);
    expect(() => lb.remove('zz')).toThrow(UnknownEndpointError);
    await expect(lb.drain('zz')).rejects.toBeInstanceOf(UnknownEndpointError);
    const error = (() => {
      try {
        lb.tryAcquire({ exclude: new Set(['a']) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NoEndpointError);
    expect(error).toMatchObject({ code: 'IM_LB_NO_ENDPOINT', members: 1, excluded: 1 });
    lb.close();
    expect(() => lb.tryAcquire()).toThrow(LoadBalancerClosedError);
    expect(() => lb.add('b', 'b')).toThrow(LoadBalancerClosedError);
  });

  it('counts outstanding requests from leases; a second release changes nothing', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock });
    lb.add('a', 'a');
    const l1 = lb.tryAcquire();
    const l2 = lb.tryAcquire();
    expect(lb.snapshot().endpoints[0]?.outstanding).toBe(2);
    clock.advance(25);
    l1.release({ ok: true }); // latency from the clock: 25 ms
    l1.release({ ok: true });
    expect(lb.snapshot().endpoints[0]).toMatchObject({ outstanding: 1, requests: 1 });
    expect(lb.snapshot().endpoints[0]?.latency.p50Ms).toBe(25);
    l2.release({ ok: true, latencyMs: 5 });
    expect(lb.snapshot().endpoints[0]?.outstanding).toBe(0);
  });

  it('reports latency percentiles over the window', () => {
    const lb = new LoadBalancer<string>({ latencyWindow: 100 });
    lb.add('a', 'a');
    for (let i = 1; i <= 200; i++) lb.tryAcquire().release({ ok: true, latencyMs: i });
    expect(lb.snapshot().endpoints[0]?.latency).toMatchObject({ p50Ms: 150, p90Ms: 190, p99Ms: 199, samples: 100 });
  });

  it('a removed endpoint gets no more work; its late release is harmless', () => {
    const lb = new LoadBalancer<string>();
    const removed: MembershipEvent[] = [];
    lb.on('removed', (e) => removed.push(e));
    lb.add('a', 'a');
    lb.add('b', 'b');
    const lease = lb.tryAcquire();
    lb.remove(lease.id);
    expect(removed).toEqual([{ id: lease.id, reason: 'removed' }]);
    expect(new Set(Array.from({ length: 4 }, () => lb.tryAcquire().id)).has(lease.id)).toBe(false);
    lease.release({ ok: false });
    expect(lb.has(lease.id)).toBe(false);
  });
});

describe('drain', () => {
  it('gives the endpoint no new work and resolves when its outstanding count reaches 0', async () => {
    const lb = new LoadBalancer<string>();
    const events: StateChangeEvent[] = [];
    const removed: MembershipEvent[] = [];
    lb.on('state', (e) => events.push(e));
    lb.on('removed', (e) => removed.push(e));
    lb.add('a', 'a');
    lb.add('b', 'b');
    const l1 = lb.tryAcquire({ exclude: new Set(['b']) });
    const l2 = lb.tryAcquire({ exclude: new Set(['b']) });
    let done = false;
    const drained = lb.drain('a').then(() => (done = true));
    expect(lb.drain('a')).toBe(lb.drain('a'));
    expect(events).toEqual([{ id: 'a', from: 'healthy', to: 'draining', reason: 'drain requested' }]);
    expect(Array.from({ length: 5 }, () => lb.tryAcquire().id)).toEqual(['b', 'b', 'b', 'b', 'b']);
    expect(() => lb.tryAcquire({ exclude: new Set(['b']) })).toThrow(NoEndpointError);
    l1.release({ ok: true, latencyMs: 1 });
    await Promise.resolve();
    expect(done).toBe(false);
    expect(lb.has('a')).toBe(true);
    l2.release({ ok: false });
    await drained;
    expect(lb.has('a')).toBe(false);
    expect(removed).toEqual([{ id: 'a', reason: 'drained' }]);
  });

  it('resolves at once when nothing is outstanding, and rejects pending drains on close', async () => {
    const lb = new LoadBalancer<string>();
    lb.add('a', 'a');
    lb.add('b', 'b');
    await lb.drain('a');
    expect(lb.has('a')).toBe(false);
    lb.tryAcquire();
    const pending = lb.drain('b');
    lb.close();
    await expect(pending).rejects.toBeInstanceOf(LoadBalancerClosedError);
  });
});

describe('panic mode', () => {
  it('balances across all endpoints when the healthy fraction drops below panicThreshold, and says so', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock, strategy: 'round-robin', panicThreshold: 50 });
    const panics: PanicEvent[] = [];
    lb.on('panic', (e) => panics.push(e));
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) lb.add(id, id);
    ejectNow(lb, 'a', ['b', 'c', 'd']);
    ejectNow(lb, 'b', ['a', 'c', 'd']);
    // 2 of 4 healthy = 50%: not below the threshold.
    expect(lb.panicking).toBe(false);
    expect(lb.available).toBe(2);
    expect(new Set(Array.from({ length: 8 }, () => lb.tryAcquire().id))).toEqual(new Set(['c', 'd']));
    lb.remove('d'); // 1 of 3 healthy
    expect(lb.panicking).toBe(true);
    expect(lb.available).toBe(3);
    expect(panics).toEqual([{ active: true, healthy: 1, total: 3 }]);
    expect(new Set(Array.from({ length: 6 }, () => lb.tryAcquire().id))).toEqual(new Set(['a', 'b', 'c']));
    expect(lb.snapshot().panic).toBe(true);
    clock.advance(30_000); // ejections end
    expect(lb.panicking).toBe(false);
    expect(panics.at(-1)).toEqual({ active: false, healthy: 2, total: 3 });
  });

  it('panicThreshold 0 disables it: with everything ejected nothing is picked', () => {
    const lb = new LoadBalancer<string>({ panicThreshold: 0, outlier: { maxEjectionPercent: 100 } });
    lb.add('a', 'a');
    ejectNow(lb, 'a', []);
    expect(lb.available).toBe(0);
    expect(() => lb.tryAcquire()).toThrow(NoEndpointError);
  });
});

describe('slow start', () => {
  it('ramps a new endpoint’s weight linearly from minWeightFraction to full over durationMs', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock, strategy: 'weighted-round-robin', slowStart: { durationMs: 1_000, minWeightFraction: 0.1 } });
    lb.add('a', 'a', { weight: 10 });
    const w = () => lb.snapshot().endpoints[0]?.effectiveWeight;
    expect(w()).toBeCloseTo(1, 9);
    clock.advance(500);
    expect(w()).toBeCloseTo(5.5, 9);
    clock.advance(500);
    expect(w()).toBe(10);
    expect(lb.snapshot().endpoints[0]?.weight).toBe(10);
  });

  it('ramps a recovered endpoint again, and the ramp steers traffic', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({
      clock, strategy: 'weighted-round-robin', slowStart: { durationMs: 1_000, minWeightFraction: 0.1 },
      outlier: { baseEjectionMs: 100 },
    });
    lb.add('a', 'a');
    lb.add('b', 'b');
    clock.advance(1_000);
    ejectNow(lb, 'a', ['b']);
    clock.advance(100);
    expect(lb.snapshot().endpoints[0]).toMatchObject({ state: 'healthy', effectiveWeight: 0.1 });
    const early = Array.from({ length: 110 }, () => lb.tryAcquire().id).filter((id) => id === 'a').length;
    expect(early).toBe(10); // weights 0.1 : 1 over 110 picks
    clock.advance(1_000);
    const later = Array.from({ length: 100 }, () => lb.tryAcquire().id).filter((id) => id === 'a').length;
    expect(later).toBe(50);
  });
});

describe('events', () => {
  it('emits one state event for every transition, with from, to and reason', () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock, panicThreshold: 0, outlier: { baseEjectionMs: 100, consecutiveFailures: 1 } });
    const events: StateChangeEvent[] = [];
    lb.on('state', (e) => events.push(e));
    lb.add('a', 'a');
    lb.add('b', 'b');
    lb.tryAcquire({ exclude: new Set(['b']) }).release({ ok: false });
    clock.advance(100);
    void lb.drain('a');
    expect(events.map(({ id, from, to }) => `${id}:${from}>${to}`)).toEqual(['a:healthy>ejected', 'a:ejected>healthy', 'a:healthy>draining']);
    expect(events.every((e) => e.reason.length > 0)).toBe(true);
  });
});
