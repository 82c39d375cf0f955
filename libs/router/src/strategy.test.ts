import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL, build, CONSISTENT, keyList, keys, moved, nodeIds, ready } from '../tests/fixtures.js';

beforeAll(ready);

describe.each(ALL)('%s: the ShardingStrategy contract', (name) => {
  it('is deterministic: two instances with the same nodes give the same node for every key', () => {
    fc.assert(
      fc.property(nodeIds(1, 12), keyList, (nodes, ks) => {
        const a = build(name, nodes);
        const b = build(name, nodes);
        for (const k of ks) {
          expect(a.lookup(k)).toBe(b.lookup(k));
          expect(nodes).toContain(a.lookup(k));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('candidates(key, n) are distinct, start with lookup(key), have min(n, size) entries and skip removed nodes', () => {
    fc.assert(
      fc.property(nodeIds(2, 10), keyList, fc.nat({ max: 12 }), fc.nat(), (nodes, ks, n, pick) => {
        const s = build(name, nodes);
        const gone = nodes[pick % nodes.length]!;
        s.remove(gone);
        for (const k of ks.slice(0, 40)) {
          const c = s.candidates(k, n);
          expect(c).toHaveLength(Math.min(n, nodes.length - 1));
          expect(new Set(c).size).toBe(c.length);
          expect(c).not.toContain(gone);
          if (n > 0) expect(c[0]).toBe(s.lookup(k));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a duplicate node, an unknown removal and a lookup with no node', () => {
    const s = build(name, ['a']);
    expect(() => s.add('a')).toThrow(expect.objectContaining({ code: 'IM_ROUTER_DUPLICATE_NODE' }));
    expect(() => s.remove('b')).toThrow(expect.objectContaining({ code: 'IM_ROUTER_UNKNOWN_NODE' }));
    s.remove('a');
    expect(() => s.lookup('k')).toThrow(expect.objectContaining({ code: 'IM_ROUTER_NO_NODE' }));
    expect(s.candidates('k', 3)).toEqual([]);
    expect(() => s.add('x', 0)).toThrow(RangeError);
    expect(() => s.candidates('k', -1)).toThrow(RangeError);
  });
});

describe.each(['ring', 'rendezvous'] as const)('%s: insertion order', (name) => {
  it('does not depend on the order nodes were added in', () => {
    fc.assert(
      fc.property(nodeIds(1, 12).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray(n, { minLength: n.length }))), keyList, ([nodes, shuffled], ks) => {
        const a = build(name, nodes);
        const b = build(name, shuffled);
        for (const k of ks) {
          expect(b.lookup(k)).toBe(a.lookup(k));
          expect(b.candidates(k, 3)).toEqual(a.candidates(k, 3));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe.each(CONSISTENT)('%s: minimal movement', (name) => {
  it('on remove, only the removed node\'s keys move', () => {
    fc.assert(
      fc.property(nodeIds(2, 12), keyList, fc.nat(), (nodes, ks, pick) => {
        const s = build(name, nodes);
        const before = new Map(ks.map((k) => [k, s.lookup(k)]));
        const gone = nodes[pick % nodes.length]!;
        s.remove(gone);
        for (const k of ks) {
          const was = before.get(k)!;
          if (was !== gone) expect(s.lookup(k)).toBe(was);
          else expect(s.lookup(k)).not.toBe(gone);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('on add, keys only move to the new node', () => {
    fc.assert(
      fc.property(nodeIds(2, 12), keyList, fc.nat(), (nodes, ks, pick) => {
        const added = nodes[pick % nodes.length]!;
        const s = build(name, nodes.filter((n) => n !== added));
        const before = new Map(ks.map((k) => [k, s.lookup(k)]));
        s.add(added);
        for (const k of ks) expect([before.get(k), added]).toContain(s.lookup(k));
      }),
      { numRuns: 60 },
    );
  });

  it('the second candidate is where the key goes when the first is removed', () => {
    fc.assert(
      fc.property(nodeIds(2, 10), keyList, (nodes, ks) => {
        for (const k of ks.slice(0, 20)) {
          const s = build(name, nodes);
          const [first, second] = s.candidates(k, 2);
          s.remove(first!);
          expect(s.lookup(k)).toBe(second);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('moves about 1/N of the keys when one of N nodes leaves', () => {
    const nodes = keys(10, 'node');
    const ks = keys(20_000);
    const before = build(name, nodes);
    const after = build(name, nodes);
    after.remove('node:3');
    const fraction = moved(before, after, ks);
    expect(fraction).toBeGreaterThan(0.05);
    expect(fraction).toBeLessThan(0.16);
  });
});
