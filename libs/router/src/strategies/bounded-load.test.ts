import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys, ready } from '../../tests/fixtures.js';
import { BoundedLoadStrategy, type Lease } from './bounded-load.js';

beforeAll(ready);

type Op = { type: 'assign'; key: string } | { type: 'release'; pick: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('assign' as const), key: fc.constantFrom('hot', 'warm', 'a', 'b', 'c', 'd', 'e') }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('release' as const), pick: fc.nat() }) },
);

describe('BoundedLoadStrategy', () => {
  it('never assigns above ⌈(1+ε)·mean⌉ under random assign/release sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        fc.array(op, { minLength: 1, maxLength: 300 }),
        (n, epsilon, ops) => {
          const s = new BoundedLoadStrategy({ epsilon, vnodes: 20 });
          for (const node of keys(n, 'node')) s.add(node);
          const leases: Lease[] = [];
          let releasedAny = false;
          for (const o of ops) {
            if (o.type === 'release') {
              if (leases.length === 0) continue;
              const [lease] = leases.splice(o.pick % leases.length, 1);
              expect(lease!.release()).toBe(true);
              expect(lease!.release()).toBe(false);
              releasedAny = true;
              continue;
            }
            const lease = s.assign(o.key);
            leases.push(lease);
            const cap = Math.ceil(((1 + epsilon) * s.active) / n);
            expect(s.load(lease.node)).toBeLessThanOrEqual(cap);
            // Without releases nothing shrinks the mean, so every node is within the cap at all times.
            if (!releasedAny) for (const load of s.loads().values()) expect(load).toBeLessThanOrEqual(cap);
          }
          expect(s.active).toBe(leases.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('sends a hot key to its ring owner until the owner is full, then to the next ring node', () => {
    const s = new BoundedLoadStrategy({ epsilon: 0.5 });
    for (const node of keys(4, 'node')) s.add(node);
    const order = s.candidates('hot', 4);
    const first = s.assign('hot');
    expect(first.node).toBe(order[0]);
    const nodes = Array.from({ length: 40 }, () => s.assign('hot').node);
    // Overflow fills the ring order front to back: the nodes used are a prefix of it, more than one.
    const used = order.filter((n) => nodes.includes(n));
    expect(used.length).toBeGreaterThan(1);
    expect(used).toEqual(order.slice(0, used.length));
    expect(Math.max(...s.loads().values())).toBeLessThanOrEqual(Math.ceil((1.5 * 41) / 4));
  });

  it('drops the leases of a removed node', () => {
    const s = new BoundedLoadStrategy();
    s.add('a');
    s.add('b');
    const lease = s.assign('k');
    s.remove(lease.node);
    expect(s.active).toBe(0);
    s.add(lease.node);
    expect(lease.release()).toBe(false);
    expect(s.load(lease.node)).toBe(0);
  });
});
