import { beforeAll, describe, expect, it } from 'vitest';
import { keys, ready } from '../../tests/fixtures.js';
import { RendezvousStrategy } from './rendezvous.js';

beforeAll(ready);

describe('RendezvousStrategy', () => {
  it('gives weighted nodes a share of keys proportional to weight, within 5%', () => {
    const s = new RendezvousStrategy();
    const weights = { a: 1, b: 2, c: 0.5, d: 4.5 } as const;
    for (const [node, w] of Object.entries(weights)) s.add(node, w);
    const counts = new Map<string, number>();
    for (const k of keys(80_000)) counts.set(s.lookup(k), (counts.get(s.lookup(k)) ?? 0) + 1);
    for (const [node, w] of Object.entries(weights)) {
      const expected = (80_000 * w) / 8;
      expect(Math.abs(counts.get(node)! - expected) / expected).toBeLessThan(0.05);
    }
  });

  it('keeps weighted minimal movement: changing nothing but adding a heavy node only moves keys to it', () => {
    const s = new RendezvousStrategy();
    for (const n of keys(6, 'node')) s.add(n, 1 + Number(n.slice(5)) / 3);
    const ks = keys(5_000);
    const before = ks.map((k) => s.lookup(k));
    s.add('heavy', 5);
    ks.forEach((k, i) => expect([before[i], 'heavy']).toContain(s.lookup(k)));
  });
});
