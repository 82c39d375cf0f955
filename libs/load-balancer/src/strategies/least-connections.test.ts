import { describe, expect, it } from 'vitest';
import { LoadBalancer } from '../index.js';

describe('least-connections', () => {
  it('takes the member with the fewest outstanding requests', () => {
    const lb = new LoadBalancer<string>({ strategy: 'least-connections' });
    for (const id of ['a', 'b', 'c']) lb.add(id, id);
    const first = [lb.tryAcquire(), lb.tryAcquire(), lb.tryAcquire()];
    expect(first.map((l) => l.id).sort()).toEqual(['a', 'b', 'c']);
    first.find((l) => l.id === 'b')?.release({ ok: true, latencyMs: 1 });
    expect(lb.tryAcquire().id).toBe('b');
  });

  it('breaks ties round-robin and divides load by weight', () => {
    const lb = new LoadBalancer<string>({ strategy: 'least-connections' });
    for (const id of ['a', 'b', 'c']) lb.add(id, id);
    const ids = Array.from({ length: 6 }, () => {
      const lease = lb.tryAcquire();
      lease.release({ ok: true, latencyMs: 1 });
      return lease.id;
    });
    expect(ids.join('')).toBe('abcabc');

    const weighted = new LoadBalancer<string>({ strategy: 'least-connections' });
    weighted.add('big', 'big', { weight: 3 });
    weighted.add('small', 'small', { weight: 1 });
    const held = Array.from({ length: 8 }, () => weighted.tryAcquire().id);
    expect(held.filter((id) => id === 'big')).toHaveLength(6);
  });
});
