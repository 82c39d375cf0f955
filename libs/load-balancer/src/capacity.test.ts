import { describe, expect, it } from 'vitest';
import { ManualClock } from '../tests/manual-clock.js';
import { Capacity } from './capacity.js';
import { AcquireAbortedError, AcquireTimeoutError, AtCapacityError, LoadBalancerClosedError, NoEndpointError } from './errors.js';
import { LoadBalancer, type Lease } from './load-balancer.js';

const settled = async <T>(p: Promise<T>): Promise<'pending' | T | Error> => {
  const marker = Symbol('pending');
  const r = await Promise.race([p.catch((e: Error) => e), Promise.resolve().then(() => marker)]);
  return r === marker ? 'pending' : (r as T | Error);
};

describe('capacity', () => {
  it('refuses a limit that is not a positive integer or Infinity', () => {
    expect(() => new Capacity(0)).toThrow(RangeError);
    expect(() => new Capacity(1.5)).toThrow(RangeError);
    expect(() => new Capacity(Number.NaN)).toThrow(TypeError);
    expect(new Capacity(Infinity).free).toBe(true);
    const lb = new LoadBalancer<string>();
    expect(() => lb.add('a', 'a', { capacity: 0 })).toThrow(RangeError);
  });

  it('tryAcquire skips full members and throws AtCapacityError when all are full', () => {
    const lb = new LoadBalancer<string>({ strategy: 'round-robin' });
    lb.add('a', 'a', { capacity: 1 });
    lb.add('b', 'b', { capacity: 2 });
    const ids = [lb.tryAcquire().id, lb.tryAcquire().id, lb.tryAcquire().id].sort();
    expect(ids).toEqual(['a', 'b', 'b']);
    expect(() => lb.tryAcquire()).toThrow(AtCapacityError);
    expect(lb.snapshot().endpoints.map((e) => e.capacity)).toEqual([{ limit: 1, used: 1 }, { limit: 2, used: 2 }]);
  });

  it('acquire waits for a release, oldest waiter first, and never polls', async () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock });
    lb.add('a', 'a', { capacity: 1 });
    const first = await lb.acquire();
    const second = lb.acquire({ deadline: 1_000 });
    const third = lb.acquire({ deadline: 1_000 });
    expect(await settled(second)).toBe('pending');
    expect(lb.waiting).toBe(2);
    expect(clock.pending).toBe(2); // the two deadline timers, nothing else
    first.release({ ok: true });
    const got = (await second) as Lease<string>;
    expect(got.id).toBe('a');
    expect(await settled(third)).toBe('pending');
    got.release({ ok: true });
    expect(((await third) as Lease<string>).id).toBe('a');
    expect(lb.waiting).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('acquire gives up at its deadline and when its signal aborts', async () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock });
    lb.add('a', 'a', { capacity: 1 });
    await lb.acquire();
    const timed = lb.acquire({ deadline: 50 });
    const abort = new AbortController();
    const aborted = lb.acquire({ signal: abort.signal });
    clock.advance(49);
    expect(await settled(timed)).toBe('pending');
    clock.advance(1);
    await expect(timed).rejects.toBeInstanceOf(AcquireTimeoutError);
    abort.abort(new Error('client left'));
    const e = await aborted.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AcquireAbortedError);
    expect((e as Error).cause).toEqual(new Error('client left'));
    await expect(lb.acquire({ deadline: 50 })).rejects.toBeInstanceOf(AcquireTimeoutError);
    expect(lb.waiting).toBe(0);
  });

  it('a waiter is woken when a member is added or becomes healthy, and fails when none is left', async () => {
    const clock = new ManualClock();
    const lb = new LoadBalancer<string>({ clock, outlier: { consecutiveFailures: 1, baseEjectionMs: 100, maxEjectionPercent: 100 }, panicThreshold: 0 });
    lb.add('a', 'a', { capacity: 1 });
    (await lb.acquire()).release({ ok: false }); // ejected for 100 ms
    expect(lb.available).toBe(0);
    expect(lb.isAvailable('a')).toBe(false);
    const waiting = lb.acquire();
    expect(await settled(waiting)).toBe('pending');
    clock.advance(100); // the ejection ends: a state change wakes the waiter
    expect(((await waiting) as Lease<string>).id).toBe('a');
    expect(lb.isAvailable('a')).toBe(true);
    expect(lb.isAvailable('nobody')).toBe(false);

    const more = lb.acquire();
    expect(await settled(more)).toBe('pending');
    lb.add('b', 'b', { capacity: 1 });
    expect(((await more) as Lease<string>).id).toBe('b');

    const orphan = lb.acquire();
    lb.remove('a');
    expect(await settled(orphan)).toBe('pending'); // b may still free up
    lb.remove('b');
    await expect(orphan).rejects.toBeInstanceOf(NoEndpointError);
    await expect(lb.acquire()).rejects.toBeInstanceOf(NoEndpointError);
  });

  it('excluded members do not count: with every member excluded acquire fails at once', async () => {
    const lb = new LoadBalancer<string>();
    lb.add('a', 'a', { capacity: 1 });
    await expect(lb.acquire({ exclude: new Set(['a']) })).rejects.toBeInstanceOf(NoEndpointError);
  });

  it('a capacity shared by two balancers is one set of slots: a release in one wakes the other', async () => {
    const slots = new Capacity(1);
    const mlp = new LoadBalancer<string>();
    const text = new LoadBalancer<string>();
    mlp.add('w1', 'w1', { capacity: slots });
    text.add('w1', 'w1', { capacity: slots });
    const lease = await mlp.acquire();
    expect(() => text.tryAcquire()).toThrow(AtCapacityError);
    const waiting = text.acquire();
    expect(await settled(waiting)).toBe('pending');
    lease.release({ ok: true });
    expect(((await waiting) as Lease<string>).id).toBe('w1');
    expect(slots.used).toBe(1);
  });

  it('a slot of a removed member comes back when its lease is released; close rejects waiters', async () => {
    const slots = new Capacity(1);
    const lb = new LoadBalancer<string>();
    lb.add('a', 'a', { capacity: slots });
    const lease = lb.tryAcquire();
    lb.remove('a');
    lease.release({ ok: true });
    expect(slots.used).toBe(0);
    lb.add('b', 'b', { capacity: 1 });
    await lb.acquire();
    const waiting = lb.acquire();
    lb.close();
    await expect(waiting).rejects.toBeInstanceOf(LoadBalancerClosedError);
  });
});
