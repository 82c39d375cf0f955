import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../tests/manual-clock.js';
import { LoadBalancer, type Lease } from '../index.js';

describe('p2c', () => {
  it('of the two drawn, always takes the one with fewer outstanding requests', () => {
    const lb = new LoadBalancer<string>({ strategy: 'p2c', random: seededRandom(7) });
    lb.add('a', 'a');
    lb.add('b', 'b');
    const held: Lease<string>[] = [];
    for (let i = 0; i < 5; i++) {
      const lease = lb.tryAcquire();
      held.push(lease);
    }
    // With two members both are always drawn, so load stays within one of balanced.
    const outstanding = lb.snapshot().endpoints.map((e) => e.outstanding);
    expect(Math.abs((outstanding[0] ?? 0) - (outstanding[1] ?? 0))).toBeLessThanOrEqual(1);
  });

  it('sends almost nothing to a heavily loaded endpoint', () => {
    const lb = new LoadBalancer<string>({ strategy: 'p2c', random: seededRandom(3) });
    for (const id of ['a', 'b', 'c', 'd']) lb.add(id, id);
    // Pin 'a' with 50 outstanding requests (round the pool until 'a' has them).
    let pinned = 0;
    const others: Lease<string>[] = [];
    while (pinned < 50) {
      const lease = lb.tryAcquire({ exclude: new Set(['b', 'c', 'd']) });
      if (lease.id === 'a') pinned += 1;
      else others.push(lease);
    }
    const counts: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) {
      const lease = lb.tryAcquire();
      counts[lease.id] = (counts[lease.id] ?? 0) + 1;
      lease.release({ ok: true, latencyMs: 1 });
    }
    expect(counts['a'] ?? 0).toBe(0);
    expect(counts['b']).toBeGreaterThan(800);
  });
});
