import { beforeAll, describe, expect, it } from 'vitest';
import { keys, ready } from '../../tests/fixtures.js';
import { HashRing } from './hash-ring.js';

beforeAll(ready);

function shares(lookup: (k: string) => string, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys(n)) counts.set(lookup(k), (counts.get(lookup(k)) ?? 0) + 1);
  return counts;
}

describe('HashRing', () => {
  it('places round(vnodes · weight) points per node', () => {
    const ring = new HashRing({ vnodes: 50 });
    ring.add('a');
    ring.add('b', 2.5);
    expect(ring.points).toBe(50 + 125);
    ring.remove('a');
    expect(ring.points).toBe(125);
  });

  it('gives weighted nodes a share of keys proportional to weight, within 10%', () => {
    const ring = new HashRing({ vnodes: 400 });
    const weights = { a: 1, b: 2, c: 3, d: 4 } as const;
    for (const [node, w] of Object.entries(weights)) ring.add(node, w);
    const counts = shares((k) => ring.lookup(k), 100_000);
    for (const [node, w] of Object.entries(weights)) {
      const expected = (100_000 * w) / 10;
      expect(Math.abs(counts.get(node)! - expected) / expected).toBeLessThan(0.1);
    }
  });

  it('keeps peak-to-mean load under 1.25 with 10 nodes and the default 160 vnodes', () => {
    const ring = new HashRing();
    for (const n of keys(10, 'node')) ring.add(n);
    const counts = [...shares((k) => ring.lookup(k), 100_000).values()];
    expect(Math.max(...counts) / (100_000 / 10)).toBeLessThan(1.25);
  });

  it('walks distinct nodes clockwise and stops when told', () => {
    const ring = new HashRing();
    for (const n of keys(5, 'node')) ring.add(n);
    const seen: string[] = [];
    ring.walk('k', (node) => (seen.push(node), seen.length < 3));
    expect(seen).toEqual(ring.candidates('k', 3));
    expect(ring.candidates('k', 99)).toHaveLength(5);
  });
});
