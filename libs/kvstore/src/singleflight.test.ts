import { describe, expect, it } from 'vitest';
import { AbortedError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { Singleflight } from './singleflight.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('getOrCompute (singleflight)', () => {
  it('runs the computation once for 20 concurrent misses of one key, then serves the cached value', async () => {
    const store = new MemoryStore<number>();
    let runs = 0;
    const gate = deferred<number>();
    const compute = () => {
      runs += 1;
      return gate.promise;
    };
    const callers = Array.from({ length: 20 }, () => store.getOrCompute('k', compute));
    await new Promise((r) => setTimeout(r, 5));
    gate.resolve(42);
    expect(await Promise.all(callers)).toEqual(Array(20).fill(42));
    expect(runs).toBe(1);
    expect(await store.getOrCompute('k', () => 0)).toBe(42);
    expect(runs).toBe(1);
    expect(await store.get('k')).toBe(42);
  });

  it('delivers a failure to every waiter of the flight and does not cache it', async () => {
    const store = new MemoryStore<number>();
    let runs = 0;
    const boom = new Error('boom');
    const failing = async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 5));
      throw boom;
    };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.getOrCompute('k', failing)));
    expect(results.every((r) => r.status === 'rejected' && r.reason === boom)).toBe(true);
    expect(runs).toBe(1);
    expect(await store.has('k')).toBe(false);
    expect(await store.getOrCompute('k', () => 7)).toBe(7);
    expect(runs).toBe(1);
  });

  it('an abort stops one waiter; the others still get the value and the computation is not cancelled', async () => {
    const store = new MemoryStore<string>();
    const gate = deferred<string>();
    let computeSignal: AbortSignal | undefined;
    const compute = (signal: AbortSignal) => {
      computeSignal = signal;
      return gate.promise;
    };
    const controller = new AbortController();
    const aborting = store.getOrCompute('k', compute, { signal: controller.signal });
    const other = store.getOrCompute('k', compute, { signal: new AbortController().signal });
    const plain = store.getOrCompute('k', compute);
    await new Promise((r) => setTimeout(r, 1));
    controller.abort(new Error('caller gave up'));
    const aborted = await aborting.catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(AbortedError);
    expect((aborted as AbortedError).code).toBe('IM_KV_ABORTED');
    expect(computeSignal?.aborted).toBe(false);
    gate.resolve('v');
    expect(await other).toBe('v');
    expect(await plain).toBe('v');
    expect(await store.get('k')).toBe('v');
  });

  it('aborts the computation and caches nothing when every waiter aborted', async () => {
    const store = new MemoryStore<string>();
    const gate = deferred<string>();
    let computeSignal: AbortSignal | undefined;
    const a = new AbortController();
    const b = new AbortController();
    const compute = (signal: AbortSignal) => {
      computeSignal = signal;
      return gate.promise;
    };
    const pa = store.getOrCompute('k', compute, { signal: a.signal });
    const pb = store.getOrCompute('k', compute, { signal: b.signal });
    await new Promise((r) => setTimeout(r, 1));
    a.abort();
    expect(computeSignal?.aborted).toBe(false);
    b.abort();
    expect(computeSignal?.aborted).toBe(true);
    await expect(pa).rejects.toBeInstanceOf(AbortedError);
    await expect(pb).rejects.toBeInstanceOf(AbortedError);
    gate.resolve('late');
    await new Promise((r) => setTimeout(r, 1));
    expect(await store.has('k')).toBe(false);
    await expect(store.getOrCompute('k', () => 'x', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });

  it('Singleflight forgets a flight once it settles', async () => {
    const flights = new Singleflight<number>();
    const p = flights.run('k', async () => 1);
    expect(flights.inFlight).toBe(1);
    expect(await p).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(flights.inFlight).toBe(0);
  });
});
