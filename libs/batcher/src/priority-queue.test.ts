import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriorityQueue, type QueueEntry } from './priority-queue.js';

interface E extends QueueEntry {
  id: number;
  priority: number;
  at: number;
}
const entry = (id: number, priority: number, at = id): E => ({ id, priority, at, level: undefined, slot: 0 });

function drain(q: PriorityQueue<E>): Array<[number, number]> {
  const got: Array<[number, number]> = [];
  for (let e = q.first(); e !== undefined; e = q.first()) {
    got.push([e.id, q.timeOf(e)]);
    q.remove(e);
  }
  return got;
}

describe('PriorityQueue', () => {
  it('pops by descending priority, FIFO within a level, and finds the oldest time across levels', () => {
    const q = new PriorityQueue<E>();
    const es = [entry(0, 0, 10), entry(1, 2, 11), entry(2, 0, 12), entry(3, 2, 13), entry(4, 1, 14)];
    for (const e of es) q.push(e, e.priority, e.at);
    expect(q.oldestTime()).toBe(10);
    q.remove(es[0] as E);
    expect(q.oldestTime()).toBe(11);
    expect(drain(q)).toEqual([[1, 11], [3, 13], [4, 14], [2, 12]]);
    expect([q.size, q.first(), q.oldestTime()]).toEqual([0, undefined, undefined]);
  });

  it('keeps order and times when a level slides its entries to the front and when it grows', () => {
    const q = new PriorityQueue<E>();
    const es = Array.from({ length: 60 }, (_, id) => entry(id, 0, 500 + id));
    for (const e of es.slice(0, 16)) q.push(e, 0, e.at);
    for (const e of es.slice(0, 12)) q.remove(e); // 4 left at the back of a full level
    q.push(es[16] as E, 0, 516); // no room at the back: the 4 slide to the front
    q.remove(es[14] as E); // found by its slot after the slide
    for (const e of es.slice(17)) q.push(e, 0, e.at); // grows, twice
    q.remove(es[40] as E);
    expect(q.oldestTime()).toBe(512);
    const expected = es.filter((e) => e.id >= 12 && e.id !== 14 && e.id !== 40).map((e) => [e.id, e.at]);
    expect(drain(q)).toEqual(expected);
  });

  it('matches a stable sort under random pushes, removals and pops, across growth and compaction', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.constantFrom('keep', 'remove', 'pop', 'pop')), { maxLength: 400 }),
        (ops) => {
          const q = new PriorityQueue<E>();
          let model: E[] = [];
          const sorted = () => [...model].sort((a, b) => b.priority - a.priority || a.id - b.id);
          ops.forEach(([priority, op], id) => {
            const e = entry(id, priority, 1000 + id);
            q.push(e, priority, e.at);
            model.push(e);
            if (op === 'remove') {
              const victim = model[(id * 7) % model.length] as E;
              q.remove(victim);
              q.remove(victim); // a second removal is a no-op
              model = model.filter((m) => m !== victim);
            } else if (op === 'pop') {
              const head = sorted()[0] as E;
              expect(q.first()).toBe(head);
              expect(q.timeOf(head)).toBe(head.at);
              q.remove(head);
              model = model.filter((m) => m !== head);
            }
            expect(q.size).toBe(model.length);
          });
          const oldest = model.length === 0 ? undefined : Math.min(...model.map((e) => e.at));
          expect(q.oldestTime()).toBe(oldest);
          expect(drain(q)).toEqual(sorted().map((e) => [e.id, e.at]));
          expect(model.every((e) => e.level === undefined)).toBe(true);
        },
      ),
    );
  });
});
