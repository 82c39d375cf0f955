import { describe, expect, it } from 'vitest';
import { flush, heldRunner, outcome, recordingRunner } from '../tests/fixtures.js';
import { Batcher, BatcherClosedError, ItemTooLargeError, ManualClock, QueueFullError, type BatchEvent, type Clock } from './index.js';

const double = (items: number[]) => items.map((n) => n * 2);

describe('Batcher flush rules', () => {
  it('sends a full batch at once, before any timer, and cancels the delay timer', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 4, maxDelayMs: 1000 });
    const ps = [1, 2, 3].map((n) => b.add(n));
    expect(calls).toHaveLength(0);
    expect(clock.pending).toBe(1);
    ps.push(b.add(4));
    // Synchronously, inside the 4th add: no timer ran and no microtask was needed.
    expect(calls).toHaveLength(1);
    expect(calls[0]?.items).toEqual([1, 2, 3, 4]);
    expect(calls[0]?.info.reason).toBe('full');
    expect(clock.pending).toBe(0);
    expect(await Promise.all(ps)).toEqual([2, 4, 6, 8]);
  });

  it('orders urgent items by their own deadlines (issue 17 bug 1: the comparator read an undefined outer deadline)', async () => {
    const clock = new ManualClock();
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new Batcher<number, number>({
      clock, maxBatchSize: 10, maxDelayMs: 1_000, maxInFlightBatches: 1, deadlineMarginMs: 100,
      run: async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items;
      },
    });
    const first = b.add(0, { deadline: 5_000 });
    clock.advance(1_000); // the first item leaves alone and holds the only in-flight slot
    // Each is urgent as it arrives (within the 100 ms margin), in an order that is not deadline order.
    const ps = [[7, 1_090], [5, 1_050], [6, 1_070], [8, 1_095]].map(([n, d]) => b.add(n!, { deadline: d! }));
    expect(batches).toEqual([[0]]);
    release();
    await Promise.all([first, ...ps]);
    expect(batches).toEqual([[0], [5, 6, 7, 8]]);
  });

  it('sends a batch exactly when its oldest item has waited maxDelayMs', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 8, maxDelayMs: 10 });
    const a = b.add(1);
    clock.advance(6);
    const c = b.add(2);
    clock.advance(3.999);
    expect(calls).toHaveLength(0);
    clock.advance(0.001);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.items).toEqual([1, 2]);
    expect(calls[0]?.info.reason).toBe('delay');
    expect(await Promise.all([a, c])).toEqual([2, 4]);
    // The next batch's timer starts from its own oldest item.
    const d = b.add(3);
    clock.advance(9);
    expect(calls).toHaveLength(1);
    clock.advance(1);
    expect(calls).toHaveLength(2);
    expect(await d).toBe(6);
    expect(b.stats().queueWait).toMatchObject({ count: 3, sumMs: 10 + 4 + 10, maxMs: 10 });
  });

  it('sends an overdue batch inside the add that finds it due, before its delay timer has run (a busy event loop)', async () => {
    let t = 0;
    const armed: number[] = [];
    const stalled: Clock = { now: () => t, setTimeout: (_fn, ms) => armed.push(ms), clearTimeout: () => {} };
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock: stalled, maxBatchSize: 8, maxDelayMs: 5 });
    const ps = [b.add(1)];
    t = 4.999;
    ps.push(b.add(2));
    expect(calls).toHaveLength(0);
    t = 5;
    ps.push(b.add(3));
    expect(calls[0]).toMatchObject({ items: [1, 2, 3], info: { reason: 'delay' } });
    expect(await Promise.all(ps)).toEqual([2, 4, 6]);
    expect(armed).toEqual([5]);
  });

  it('takes higher priorities first, FIFO within a level', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: string[]) => items);
    const b = new Batcher<string, string>({ run, clock, maxBatchSize: 10, maxDelayMs: 5 });
    const adds: Array<[string, number]> = [['a', 0], ['b', 1], ['c', 0], ['d', 2], ['e', 1], ['f', -1]];
    const ps = adds.map(([s, priority]) => b.add(s, { priority }));
    clock.advance(5);
    expect(calls[0]?.items).toEqual(['d', 'b', 'e', 'a', 'c', 'f']);
    expect(await Promise.all(ps)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('leaves lower priorities for the next batch when a full batch closes', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: string[]) => items);
    const b = new Batcher<string, string>({ run, clock, maxBatchSize: 2, maxDelayMs: 5, maxInFlightBatches: 2 });
    const ps = [b.add('low'), b.add('high', { priority: 5 })];
    expect(calls[0]?.items).toEqual(['high', 'low']);
    ps.push(b.add('x'), b.add('y', { priority: 1 }));
    expect(calls[1]?.items).toEqual(['y', 'x']);
    await Promise.all(ps);
  });

  it('bounds a batch by rows, not item count, and refuses an item larger than maxBatchSize', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: Array<{ id: string; rows: number }>) => items.map((i) => i.id));
    const b = new Batcher<{ id: string; rows: number }, string>({ run, clock, maxBatchSize: 8, maxDelayMs: 5, sizeOf: (i) => i.rows });
    const ps = [b.add({ id: 'a', rows: 3 }), b.add({ id: 'b', rows: 3 })];
    expect(calls).toHaveLength(0);
    ps.push(b.add({ id: 'c', rows: 3 }));
    // 9 rows queued: a batch leaves with the 6 rows that fit; c waits for the next one.
    expect(calls).toHaveLength(1);
    expect(calls[0]?.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(calls[0]?.info.rows).toBe(6);
    expect(b.stats().queuedRows).toBe(3);
    await expect(b.add({ id: 'big', rows: 9 })).rejects.toBeInstanceOf(ItemTooLargeError);
    ps.push(b.add({ id: 'd', rows: 5 }));
    expect(calls[1]?.items.map((i) => i.id)).toEqual(['c', 'd']);
    expect(await Promise.all(ps)).toEqual(['a', 'b', 'c', 'd']);
    expect(b.stats().batchSizes).toEqual({ 6: 1, 8: 1 });
    expect(b.stats().rejected.tooLarge).toBe(1);
  });

  it('sends the largest preferred size eagerly, and cuts a delayed batch to a preferred size', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 16, maxDelayMs: 10, preferredBatchSizes: [8, 4], maxInFlightBatches: 4 });
    const first = Array.from({ length: 8 }, (_, i) => b.add(i));
    expect(calls.map((c) => [c.items.length, c.info.reason])).toEqual([[8, 'preferred']]);
    const rest = Array.from({ length: 6 }, (_, i) => b.add(i));
    clock.advance(10);
    // 6 queued when the delay expires: 4 (largest preferred <= 6) leave, then 2 (below every preferred size).
    expect(calls.map((c) => [c.items.length, c.info.reason])).toEqual([[8, 'preferred'], [4, 'delay'], [2, 'delay']]);
    await Promise.all([...first, ...rest]);
  });

  it('flushes early for an item whose deadline is within deadlineMarginMs', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 8, maxDelayMs: 100, deadlineMarginMs: 3 });
    const a = b.add(1);
    const d = b.add(2, { deadline: 10, priority: -1 });
    clock.advance(6.999);
    expect(calls).toHaveLength(0);
    clock.advance(0.001);
    expect(calls[0]?.items).toEqual([2, 1]);
    expect(calls[0]?.info).toMatchObject({ reason: 'deadline', deadline: 10 });
    expect(await Promise.all([a, d])).toEqual([2, 4]);
  });

  it('keeps per-key queues with their own policies', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({
      run, clock, maxBatchSize: 4, maxDelayMs: 10, policyFor: (key) => (key === 'm:2' ? { maxDelayMs: 2 } : undefined),
    });
    b.configure('m:1', { maxBatchSize: 2 });
    expect(() => b.configure('m:1', { maxBatchSize: 0 })).toThrow(
      new RangeError('Invalid batcher policy for "m:1" option "maxBatchSize": Too small: expected number to be >=1'),
    );
    const ps = [b.add(1, { key: 'm:1' }), b.add(2, { key: 'm:2' }), b.add(3, { key: 'm:1' })];
    expect(calls.map((c) => [c.key, c.items])).toEqual([['m:1', [1, 3]]]);
    clock.advance(2);
    expect(calls.map((c) => [c.key, c.items])).toEqual([['m:1', [1, 3]], ['m:2', [2]]]);
    expect(b.policy('m:2').maxDelayMs).toBe(2);
    expect(b.policy('m:1')).toMatchObject({ maxBatchSize: 2, maxDelayMs: 10 });
    expect(b.keys().sort()).toEqual(['m:1', 'm:2']);
    await Promise.all(ps);
    expect(b.stats('m:1').items).toBe(2);
    expect(b.stats().items).toBe(3);
  });
  it('sends at once while fewer than sendAtOnceBelow batches are in flight, and gathers only while all are busy', async () => {
    const clock = new ManualClock();
    const held = heldRunner<number, number>();
    const b = new Batcher<number, number>({ run: held.run, clock, maxBatchSize: 8, maxDelayMs: 1_000, maxInFlightBatches: 3, sendAtOnceBelow: 2 });
    const ps = [b.add(1), b.add(2)];
    // Two endpoints idle: each item leaves alone, synchronously, with no timer.
    expect(held.calls.map((c) => [c.items, c.info.reason])).toEqual([[[1], 'idle'], [[2], 'idle']]);
    // Both busy: items gather, up to maxDelayMs, into the third slot.
    ps.push(b.add(3), b.add(4));
    expect(held.calls).toHaveLength(2);
    expect(clock.pending).toBe(1);
    held.calls[0]?.resolve([10]);
    await flush();
    // A batch came back: one endpoint is idle again, so what gathered leaves at once.
    expect(held.calls.map((c) => [c.items, c.info.reason])[2]).toEqual([[3, 4], 'idle']);
    held.calls[1]?.resolve([20]);
    held.calls[2]?.resolve([30, 40]);
    expect(await Promise.all(ps)).toEqual([10, 20, 30, 40]);
    expect(b.stats().reasons.idle).toBe(3);
  });
  it('with gatherTurn, sends what arrived in one event-loop turn together, spread over the idle slots', async () => {
    const clock = new ManualClock();
    const held = heldRunner<number, number>();
    const b = new Batcher<number, number>({ run: held.run, clock, maxBatchSize: 8, maxDelayMs: 1_000, maxInFlightBatches: 3, sendAtOnceBelow: 2, gatherTurn: true });
    const ps = [1, 2, 3, 4, 5].map((i) => b.add(i));
    // Nothing leaves during the turn, and no delay timer is armed for a flush that comes at its end.
    expect(held.calls).toHaveLength(0);
    expect(clock.pending).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    // Two slots idle: the turn's five callers leave as two batches, one per idle slot.
    expect(held.calls.map((c) => [c.items, c.info.reason])).toEqual([[[1, 2, 3], 'idle'], [[4, 5], 'idle']]);
    // Both busy: a later caller gathers under the delay rules, with its timer.
    ps.push(b.add(6));
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.calls).toHaveLength(2);
    expect(clock.pending).toBe(1);
    held.calls[0]?.resolve([10, 20, 30]);
    await flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(held.calls.map((c) => [c.items, c.info.reason])[2]).toEqual([[6], 'idle']);
    held.calls[1]?.resolve([40, 50]);
    held.calls[2]?.resolve([60]);
    expect(await Promise.all(ps)).toEqual([10, 20, 30, 40, 50, 60]);
  });
  it('with gatherTurn, a caller alone after a lone turn leaves inside its add; a second one in its turn brings gathering back', async () => {
    const clock = new ManualClock();
    const held = heldRunner<number, number>();
    const b = new Batcher<number, number>({ run: held.run, clock, maxBatchSize: 8, maxDelayMs: 1_000, maxInFlightBatches: 2, sendAtOnceBelow: 2, gatherTurn: true });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const ps = [b.add(1)];
    // Nothing is known of the traffic yet: the first caller waits for the end of its turn.
    expect(held.calls).toHaveLength(0);
    await turn();
    expect(held.calls.map((c) => [c.items, c.info.reason])).toEqual([[[1], 'idle']]);
    held.calls[0]?.resolve([10]);
    await flush();
    await turn();
    // That turn held one caller: the next lone caller is not held back for company.
    ps.push(b.add(2));
    expect(held.calls.map((c) => [c.items, c.info.reason])[1]).toEqual([[2], 'idle']);
    // A second caller in the same turn: the rest of the turn gathers (one slot is still idle).
    ps.push(b.add(3), b.add(4));
    expect(held.calls).toHaveLength(2);
    await turn();
    expect(held.calls.map((c) => [c.items, c.info.reason])[2]).toEqual([[3, 4], 'idle']);
    held.calls[1]?.resolve([20]);
    held.calls[2]?.resolve([30, 40]);
    await flush();
    await turn();
    // The last gathered turn held two callers: a caller alone waits for its turn's end again.
    ps.push(b.add(5));
    expect(held.calls).toHaveLength(3);
    await turn();
    expect(held.calls.map((c) => [c.items, c.info.reason])[3]).toEqual([[5], 'idle']);
    held.calls[3]?.resolve([50]);
    expect(await Promise.all(ps)).toEqual([10, 20, 30, 40, 50]);
  });
  it('with gatherTurn, a full batch still leaves at once, and a drain sends without waiting for the turn', async () => {
    const clock = new ManualClock();
    const held = heldRunner<number, number>();
    const b = new Batcher<number, number>({ run: held.run, clock, maxBatchSize: 2, maxDelayMs: 1_000, sendAtOnceBelow: 1, gatherTurn: true });
    const ps = [b.add(1), b.add(2)];
    expect(held.calls.map((c) => [c.items, c.info.reason])).toEqual([[[1, 2], 'full']]);
    held.calls[0]?.resolve([1, 2]);
    await flush();
    ps.push(b.add(3));
    const drained = b.drain();
    expect(held.calls.map((c) => [c.items, c.info.reason])[1]).toEqual([[3], 'drain']);
    held.calls[1]?.resolve([3]);
    await drained;
    expect(await Promise.all(ps)).toEqual([1, 2, 3]);
  });
});

describe('Batcher limits', () => {
  it('refuses at once with QueueFullError when a key holds maxQueue items', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 8, maxDelayMs: 5, maxQueue: 2 });
    const rejects: unknown[] = [];
    b.on('reject', (e) => rejects.push(e));
    const ok = [b.add(1), b.add(2)];
    const refused = outcome(b.add(3));
    await flush();
    expect(refused.error).toBeInstanceOf(QueueFullError);
    expect(refused.error).toMatchObject({ code: 'IM_BATCH_QUEUE_FULL', key: 'default', maxQueue: 2 });
    expect(rejects).toEqual([{ key: 'default', error: refused.error }]);
    // Another key has its own queue.
    const other = b.add(4, { key: 'other' });
    clock.advance(5);
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [4]]);
    expect(await Promise.all([...ok, other])).toEqual([2, 4, 8]);
    expect(b.stats().rejected.queueFull).toBe(1);
  });

  it('runs at most maxInFlightBatches per key; a waiting batch leaves as soon as a slot frees', async () => {
    const clock = new ManualClock();
    const held = heldRunner<number, number>();
    const b = new Batcher<number, number>({ run: held.run, clock, maxBatchSize: 2, maxDelayMs: 5, maxInFlightBatches: 1 });
    const ps = [1, 2, 3, 4, 5].map((n) => b.add(n));
    expect(held.calls).toHaveLength(1);
    expect(b.stats()).toMatchObject({ inFlightBatches: 1, queueDepth: 3 });
    clock.advance(50);
    expect(held.calls).toHaveLength(1);
    held.calls[0]?.resolve([10, 20]);
    await flush();
    expect(held.calls.map((c) => [c.items, c.info.reason])).toEqual([[[1, 2], 'full'], [[3, 4], 'full']]);
    held.calls[1]?.resolve([30, 40]);
    await flush();
    // 5 has waited past maxDelayMs while the slot was taken: it leaves as soon as the slot frees.
    expect(held.calls[2]?.items).toEqual([5]);
    expect(held.calls[2]?.info.reason).toBe('delay');
    held.calls[2]?.resolve([50]);
    expect(await Promise.all(ps)).toEqual([10, 20, 30, 40, 50]);
    expect(b.stats().inFlightBatches).toBe(0);
  });
});

describe('Batcher drain and close', () => {
  it('drain sends everything at once and resolves when the in-flight batches finish', async () => {
    const clock = new ManualClock();
    const held = heldRunner<number, number>();
    const b = new Batcher<number, number>({ run: held.run, clock, maxBatchSize: 2, maxDelayMs: 1000, maxInFlightBatches: 2 });
    const ps = [1, 2, 3].map((n) => outcome(b.add(n)));
    expect(held.calls).toHaveLength(1);
    let drained = false;
    const d = b.drain().then(() => {
      drained = true;
    });
    expect(held.calls.map((c) => [c.items, c.info.reason])).toEqual([[[1, 2], 'full'], [[3], 'drain']]);
    held.calls[1]?.resolve([6]);
    await flush();
    expect(drained).toBe(false);
    held.calls[0]?.resolve([2, 4]);
    await d;
    expect(ps.map((p) => p.value)).toEqual([2, 4, 6]);
    expect(b.stats().reasons).toMatchObject({ full: 1, drain: 1 });
    await b.drain();
  });

  it('close refuses new items with BatcherClosedError after draining the queued ones', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock, maxDelayMs: 1000 });
    const a = b.add(1);
    const closing = b.close();
    await expect(b.add(2)).rejects.toBeInstanceOf(BatcherClosedError);
    await closing;
    expect(await a).toBe(2);
    expect(calls.map((c) => c.items)).toEqual([[1]]);
    expect(b.closed).toBe(true);
    expect(b.stats().rejected.closed).toBe(1);
  });
});

describe('Batcher events and stats', () => {
  it('emits one batch event per batch, with size, rows, reason and wait', async () => {
    const clock = new ManualClock();
    const { run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 3, maxDelayMs: 4 });
    const events: BatchEvent[] = [];
    const ends: unknown[] = [];
    b.on('batch', (e) => events.push(e));
    b.on('batch-end', (e) => ends.push(e));
    const ps = [b.add(1)];
    clock.advance(1);
    ps.push(b.add(2), b.add(3));
    ps.push(b.add(4));
    clock.advance(4);
    await Promise.all(ps);
    expect(events).toEqual([
      { key: 'default', size: 3, callers: 3, rows: 3, reason: 'full', waitMs: 1 },
      { key: 'default', size: 1, callers: 1, rows: 1, reason: 'delay', waitMs: 4 },
    ]);
    expect(ends).toHaveLength(2);
    const s = b.stats();
    expect(s).toMatchObject({ batches: 2, items: 4, rows: 4, batchSizes: { 1: 1, 3: 1 }, queueDepth: 0, inFlightBatches: 0 });
    expect(s.queueWait).toMatchObject({ count: 4, sumMs: 1 + 0 + 0 + 4, maxMs: 4 });
  });

  it("records each caller's own queue wait, whatever its priority and however it was coalesced", async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: string[]) => items);
    const b = new Batcher<string, string>({ run, clock, maxBatchSize: 10, maxDelayMs: 10, coalesceKeyOf: (s) => s });
    const events: BatchEvent[] = [];
    b.on('batch', (e) => events.push(e));
    const ps = [b.add('a')];
    clock.advance(2);
    ps.push(b.add('b', { priority: 5 }));
    clock.advance(1);
    ps.push(b.add('a', { priority: 9 }), b.add('c', { priority: -1 }));
    clock.advance(7);
    expect(await Promise.all(ps)).toEqual(['a', 'b', 'a', 'c']);
    expect(calls[0]?.items).toEqual(['a', 'b', 'c']);
    expect(events[0]).toMatchObject({ reason: 'delay', callers: 4, waitMs: 10 });
    expect(b.stats().queueWait).toMatchObject({ count: 4, sumMs: 10 + 8 + 7 + 7, maxMs: 10 });
  });

  it('rejects bad call options and bad sizes through the promise, never by throwing', async () => {
    const { run } = recordingRunner(double);
    const b = new Batcher<number, number>({ run, clock: new ManualClock(), sizeOf: (n) => n });
    await expect(b.add(1, { priority: Number.NaN })).rejects.toThrow(new TypeError('Invalid add option "priority": expected a finite number'));
    await expect(b.add(0)).rejects.toThrow(new RangeError('Invalid item size: sizeOf returned 0, expected an integer >= 1'));
    await expect(b.add(1.5)).rejects.toThrow(RangeError);
  });
});
