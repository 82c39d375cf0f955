import { beforeAll, describe, expect, it } from 'vitest';
import { build, keys, moved, ready } from '../../tests/fixtures.js';
import { ModuloStrategy } from './modulo.js';

beforeAll(ready);

describe('ModuloStrategy', () => {
  it('moves far more than 1/N of the keys when one of N nodes leaves or joins: the contrast', () => {
    const nodes = keys(10, 'node');
    const ks = keys(20_000);
    const full = build('modulo', nodes);
    const less = build('modulo', nodes.slice(0, 9));
    const onRemove = moved(full, less, ks);
    // Ideal is 1/10; modulo moves about (N-1)/N, and the consistent strategies stay near 1/N.
    expect(onRemove).toBeGreaterThan(0.8);
    expect(moved(less, full, ks)).toBeGreaterThan(0.8);
    expect(moved(build('ring', nodes), build('ring', nodes.slice(0, 9)), ks)).toBeLessThan(0.15);
  });

  it('gives a node of weight w w slots', () => {
    const s = new ModuloStrategy();
    s.add('a', 1);
    s.add('b', 3);
    const counts = { a: 0, b: 0 };
    for (const k of keys(40_000)) counts[s.lookup(k) as 'a' | 'b']++;
    expect(counts.b / counts.a).toBeGreaterThan(2.8);
    expect(counts.b / counts.a).toBeLessThan(3.2);
    expect(() => s.add('c', 1.5)).toThrow(RangeError);
  });
});
