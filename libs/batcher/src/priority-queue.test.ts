import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriorityQueue, type QueueEntry } from './priority-queue.js';

interface E extends QueueEntry {
  id: number;
}
const entry = (id: number, priority: number, enqueuedAt = id): E => ({ id, priority, enqueuedAt, prev: undefined, next: undefined, level: undefined });

describe('PriorityQueue', () => {
  it('pops by descending priority, FIFO within a level, and finds the oldest across levels', () => {
    const q = new PriorityQueue<E>();
    const es = [entry(0, 0), entry(1, 2), entry(2, 0), entry(3, 2), entry(4, 1)];
    for (const e of es) q.push(e);
    expect(q.oldest()?.id).toBe(0);
    const order: number[] = [];
    for (let e = q.first(); e !== undefined; e = q.first()) {
      order.push(e.id);
      q.remove(e);
    }
    expect(order).toEqual([1, 3, 4, 0, 2]);
    expect(q.size).toBe(0);
  });

  it('matches a stable sort under random pushes and removals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -2, max: 2 }), fc.boolean()), { maxLength: 60 }), (ops) => {
        const q = new PriorityQueue<E>();
        const model: E[] = [];
        ops.forEach(([priority, removeOne], id) => {
          const e = entry(id, priority);
          q.push(e);
          model.push(e);
          if (removeOne && model.length > 0) {
            const victim = model[(id * 7) % model.length] as E;
            q.remove(victim);
            q.remove(victim);
            model.splice(model.indexOf(victim), 1);
          }
        });
        const expected = [...model].sort((a, b) => b.priority - a.priority || a.id - b.id).map((e) => e.id);
        const oldest = model.length === 0 ? undefined : Math.min(...model.map((e) => e.id));
        expect(q.oldest()?.id).toBe(oldest);
        const got: number[] = [];
        for (let e = q.first(); e !== undefined; e = q.first()) {
          got.push(e.id);
          q.remove(e);
        }
        expect(got).toEqual(expected);
      }),
    );
  });
});
