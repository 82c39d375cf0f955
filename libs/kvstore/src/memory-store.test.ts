import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../tests/fake-clock.js';
import { jsonCodec } from './codec.js';
import { StoreClosedError, ValueTooLargeError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { expectStatusReported } from '../tests/status-check.js';

describe('MemoryStore', () => {
  it('evicts the least recently used entry at the entry bound', async () => {
    const store = new MemoryStore<number>({ max: 3 });
    await store.set('a', 1);
    await store.set('b', 2);
    await store.set('c', 3);
    expect(await store.get('a')).toBe(1); // a is now the most recent; b is the oldest
    await store.set('d', 4);
    expect(await store.has('b')).toBe(false);
    expect(await store.get('a')).toBe(1);
    expect(await store.get('c')).toBe(3);
    expect(await store.get('d')).toBe(4);
    const { memory } = await store.stats();
    expect(memory).toMatchObject({ size: 3, evictions: 1 });
  });

  it('keeps the byte bound, measuring values by their encoded size', async () => {
    const store = new MemoryStore<string>({ max: 100, maxBytes: 100, codec: jsonCodec() });
    for (let i = 0; i < 10; i += 1) await store.set(`k${i}`, 'x'.repeat(28)); // 30 bytes as JSON
    const { memory } = await store.stats();
    expect(memory.bytes).toBeLessThanOrEqual(100);
    expect(memory.size).toBe(3);
    expect(memory.evictions).toBe(7);
    expect(await store.get('k9')).toBe('x'.repeat(28));
    expect(await store.get('k0')).toBeUndefined();
  });

  it('uses a caller sizeOf and refuses a value larger than maxBytes', async () => {
    const store = new MemoryStore<Uint8Array>({ maxBytes: 1000, sizeOf: (v) => v.byteLength });
    await store.set('small', new Uint8Array(600));
    await expect(store.set('big', new Uint8Array(1001))).rejects.toBeInstanceOf(ValueTooLargeError);
    await store.set('other', new Uint8Array(600));
    expect(await store.has('small')).toBe(false);
    expect((await store.stats()).memory.bytes).toBe(600);
  });

  it('expires entries by the injected clock: default TTL and per-entry TTL, no sleeping', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore<string>({ ttlMs: 1000, clock });
    await store.set('default', 'd');
    await store.set('short', 's', { ttlMs: 100 });
    await store.set('forever', 'f', { ttlMs: 0 });
    clock.advance(100); // expired once MORE than the TTL has passed (lru-cache's rule)
    expect(await store.get('short')).toBe('s');
    clock.advance(1);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('default')).toBe('d');
    clock.advance(899);
    expect(await store.get('default')).toBe('d');
    clock.advance(1);
    expect(await store.get('default')).toBeUndefined();
    clock.advance(10_000_000);
    expect(await store.get('forever')).toBe('f');
    expect((await store.stats()).memory.expirations).toBe(2);
  });

  it('counts hits and misses, supports non-string keys, refuses undefined and use after close', async () => {
    const store = new MemoryStore<string, { id: number }>({ keyToString: (k) => `id:${k.id}` });
    await store.set({ id: 1 }, 'one');
    expect(await store.get({ id: 1 })).toBe('one');
    expect(await store.get({ id: 2 })).toBeUndefined();
    expect(await store.delete({ id: 1 })).toBe(true);
    expect(await store.delete({ id: 1 })).toBe(false);
    expect(await store.stats()).toMatchObject({ tier: 'memory', hits: 1, misses: 1 });
    await expect(store.set({ id: 3 }, undefined as unknown as string)).rejects.toBeInstanceOf(TypeError);
    await store.clear();
    await store.close();
    await expect(store.get({ id: 1 })).rejects.toBeInstanceOf(StoreClosedError);
  });

  it('refuses bad options with TypeError and RangeError', () => {
    expect(() => new MemoryStore({ max: 0 })).toThrow(RangeError);
    expect(() => new MemoryStore({ max: 0 })).toThrow('Invalid kvstore option "max"');
    expect(() => new MemoryStore({ ttlMs: 'soon' } as never)).toThrow(TypeError);
    expect(() => new MemoryStore({ nope: 1 } as never)).toThrow(TypeError);
  });

  it('property: never exceeds its bounds and returns the latest value set or nothing', () => {
    type Op = { type: 'set'; key: number; size: number } | { type: 'get'; key: number } | { type: 'delete'; key: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ type: fc.constant('set' as const), key: fc.integer({ min: 0, max: 20 }), size: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ type: fc.constant('get' as const), key: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ type: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 40, max: 120 }), fc.array(op, { maxLength: 200 }), (max, maxBytes, ops) => {
        const store = new MemoryStore<{ v: number; size: number }, number>({
          max, maxBytes, sizeOf: (x) => x.size, keyToString: String,
        });
        const latest = new Map<number, number>();
        let version = 0;
        for (const o of ops) {
          if (o.type === 'set') {
            version += 1;
            store.setSync(o.key, { v: version, size: o.size });
            latest.set(o.key, version);
          } else if (o.type === 'delete') {
            store.deleteSync(o.key);
            latest.delete(o.key);
          } else {
            const got = store.getSync(o.key);
            if (got !== undefined) expect(got.v).toBe(latest.get(o.key));
          }
          const { size, bytes } = store.memoryStats();
          expect(size).toBeLessThanOrEqual(max);
          expect(bytes).toBeLessThanOrEqual(maxBytes);
        }
      }),
      { numRuns: 200 },
    );
  });
});


describe('getOrCompute status', () => {
  it('reports miss, joined and hit', async () => {
    await expectStatusReported(new MemoryStore<{ n: number }>());
  });
});
