import { beforeAll, describe, expect, it } from 'vitest';
import { keys, ready } from '../../tests/fixtures.js';
import { jumpHash, JumpStrategy } from './jump.js';

beforeAll(ready);

describe('jumpHash', () => {
  it('only moves keys to the new last bucket when buckets grow, and spreads evenly', () => {
    const counts = new Array<number>(10).fill(0);
    for (let h = 0; h < 50_000; h++) {
      const x = (Math.imul(h, 0x9e37_79b1) ^ (h >>> 3)) >>> 0;
      const a = jumpHash(x, 10);
      const b = jumpHash(x, 11);
      expect(b === a || b === 10).toBe(true);
      counts[a]!++;
    }
    for (const c of counts) expect(Math.abs(c - 5_000)).toBeLessThan(400);
  });
});

describe('JumpStrategy', () => {
  it('tombstones a removed node\'s slots and refills them first', () => {
    const s = new JumpStrategy();
    for (const n of ['a', 'b', 'c', 'd']) s.add(n);
    s.remove('b');
    expect(s.slots).toBe(4);
    expect(s.nodes).toEqual(['a', 'c', 'd']);
    s.add('e');
    expect(s.slots).toBe(4);
    s.add('f', 2);
    expect(s.slots).toBe(6);
  });

  it('spreads a removed node\'s keys evenly over the others', () => {
    const s = new JumpStrategy();
    for (const n of keys(5, 'node')) s.add(n);
    const ks = keys(30_000);
    const owners = ks.map((k) => s.lookup(k));
    s.remove('node:0');
    const counts = new Map<string, number>();
    ks.forEach((k, i) => {
      if (owners[i] === 'node:0') counts.set(s.lookup(k), (counts.get(s.lookup(k)) ?? 0) + 1);
    });
    const moved = [...counts.values()];
    expect(moved).toHaveLength(4);
    const mean = moved.reduce((a, b) => a + b, 0) / 4;
    for (const c of moved) expect(Math.abs(c - mean) / mean).toBeLessThan(0.1);
  });

  it('refuses non-integer weights', () => {
    expect(() => new JumpStrategy().add('a', 0.5)).toThrow(RangeError);
  });
});
