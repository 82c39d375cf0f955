import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../tests/manual-clock.js';
import { LoadBalancer } from '../index.js';

describe('random (weighted)', () => {
  it('picks in proportion to weight, within 2% over 60k seeded picks', () => {
    const lb = new LoadBalancer<string>({ strategy: 'random', random: seededRandom(42) });
    lb.add('a', 'a', { weight: 1 });
    lb.add('b', 'b', { weight: 2 });
    lb.add('c', 'c', { weight: 3 });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const lease = lb.tryAcquire();
      counts[lease.id] = (counts[lease.id] ?? 0) + 1;
      lease.release({ ok: true, latencyMs: 1 });
    }
    expect(Math.abs((counts['a'] ?? 0) / n - 1 / 6)).toBeLessThan(0.02);
    expect(Math.abs((counts['b'] ?? 0) / n - 2 / 6)).toBeLessThan(0.02);
    expect(Math.abs((counts['c'] ?? 0) / n - 3 / 6)).toBeLessThan(0.02);
  });

  it('follows the random source: 0 picks the first, 0.999 the last', () => {
    let r = 0;
    const lb = new LoadBalancer<string>({ strategy: 'random', random: () => r });
    lb.add('a', 'a');
    lb.add('b', 'b');
    expect(lb.tryAcquire().id).toBe('a');
    r = 0.999;
    expect(lb.tryAcquire().id).toBe('b');
  });
});
