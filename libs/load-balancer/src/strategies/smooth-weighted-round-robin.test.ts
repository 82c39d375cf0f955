import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../index.js';

describe('weighted-round-robin (smooth, nginx)', () => {
  it('gives nginx’s interleaved sequence for weights 5, 1, 1', () => {
    const lb = new LoadBalancer<string>({ strategy: 'weighted-round-robin' });
    lb.add('a', 'a', { weight: 5 });
    lb.add('b', 'b', { weight: 1 });
    lb.add('c', 'c', { weight: 1 });
    const picks = Array.from({ length: 14 }, () => lb.tryAcquire().id).join('');
    expect(picks).toBe('aabacaa'.repeat(2));
  });

  it('picks each endpoint exactly `weight` times in every cycle of sum(weights) picks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 3 }), (weights, cycles) => {
        const lb = new LoadBalancer<number>({ strategy: 'weighted-round-robin' });
        weights.forEach((weight, i) => lb.add(`e${i}`, i, { weight }));
        const total = weights.reduce((a, b) => a + b, 0);
        for (let c = 0; c < cycles; c++) {
          const counts = new Array<number>(weights.length).fill(0);
          for (let k = 0; k < total; k++) {
            const lease = lb.tryAcquire();
            counts[lease.endpoint] = (counts[lease.endpoint] ?? 0) + 1;
            lease.release({ ok: true, latencyMs: 1 });
          }
          expect(counts).toEqual(weights);
        }
      }),
    );
  });
});
