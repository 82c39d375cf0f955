import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../index.js';

describe('round-robin', () => {
  it('rotates exactly through the members in order, ignoring weights', () => {
    const lb = new LoadBalancer<string>({ strategy: 'round-robin' });
    lb.add('a', 'A', { weight: 5 });
    lb.add('b', 'B');
    lb.add('c', 'C');
    const picks = Array.from({ length: 9 }, () => {
      const lease = lb.tryAcquire();
      lease.release({ ok: true, latencyMs: 1 });
      return lease.endpoint;
    });
    expect(picks.join('')).toBe('ABCABCABC');
  });

  it('skips excluded members', () => {
    const lb = new LoadBalancer<string>({ strategy: 'round-robin' });
    for (const id of ['a', 'b', 'c']) lb.add(id, id);
    const picks = Array.from({ length: 4 }, () => lb.tryAcquire({ exclude: new Set(['b']) }).id);
    expect(picks).not.toContain('b');
    expect(new Set(picks)).toEqual(new Set(['a', 'c']));
  });
});
