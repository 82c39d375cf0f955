import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { flush, heldRunner, outcome, recordingRunner } from '../tests/fixtures.js';
import { Batcher, BatcherAbortedError, BatcherDeadlineError, ManualClock, ResultMismatchError } from './index.js';

describe('scatter', () => {
  it('fails only the items the runner marks as failed', async () => {
    const clock = new ManualClock();
    const boom = new Error('bad row');
    const { run } = recordingRunner<number, number>((items: number[]) => [
      items[0] as number, boom, { ok: false as const, error: 'nope' }, { ok: true as const, value: 40 },
    ]);
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 4 });
    const os = [1, 2, 3, 4].map((n) => outcome(b.add(n)));
    await flush();
    expect(os.map((o) => o.value)).toEqual([1, undefined, undefined, 40]);
    expect(os.map((o) => o.error)).toEqual([undefined, boom, 'nope', undefined]);
    expect(b.stats().failed).toBe(2);
  });

  it('fails the whole batch with the error of a runner that throws or rejects', async () => {
    const clock = new ManualClock();
    const boom = new Error('runner down');
    let mode: 'throw' | 'reject' = 'throw';
    const run = () => {
      if (mode === 'throw') throw boom;
      return Promise.reject(boom);
    };
    const b = new Batcher<number, number>({ run, clock, maxBatchSize: 2 });
    const ends: unknown[] = [];
    b.on('batch-end', (e) => ends.push(e.ok));
    const thrown = [b.add(1), b.add(2)].map(outcome);
    await flush();
    mode = 'reject';
    const rejected = [b.add(3), b.add(4)].map(outcome);
    await flush();
    expect([...thrown, ...rejected].map((o) => o.error)).toEqual([boom, boom, boom, boom]);
    expect(ends).toEqual([false, false]);
  });

  it('fails the batch with ResultMismatchError when the runner returns the wrong number of results', async () => {
    const clock = new ManualClock();
    let answer: unknown = [1];
    const b = new Batcher<number, number>({ run: () => answer as number[], clock, maxBatchSize: 2 });
    const short = [b.add(1), b.add(2)].map(outcome);
    await flush();
    answer = 'not an array';
    const odd = [b.add(1), b.add(2)].map(outcome);
    await flush();
    expect(short[0]?.error).toBeInstanceOf(ResultMismatchError);
    expect(short[1]?.error).toMatchObject({ code: 'IM_BATCH_RESULT_MISMATCH', expected: 2, actual: 1 });
    expect(odd[0]?.error).toMatchObject({ code: 'IM_BATCH_RESULT_MISMATCH', expected: 2, actual: -1 });
  });

  it('computes coalesced items once and gives every caller the result', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: Array<{ id: string }>) => items.map((i) => `r:${i.id}`));
    const b = new Batcher<{ id: string }, string>({ run, clock, maxBatchSize: 3, maxDelayMs: 5, coalesceKeyOf: (i) => i.id });
    const ps = [b.add({ id: 'a' }), b.add({ id: 'b' }), b.add({ id: 'a' }, { priority: 9 }), b.add({ id: 'x' }, { coalesceKey: 'b' })];
    expect(b.stats().queuedRows).toBe(2);
    clock.advance(5);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.items).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(calls[0]?.info).toMatchObject({ rows: 2, callers: 4 });
    expect(await Promise.all(ps)).toEqual(['r:a', 'r:b', 'r:a', 'r:b']);
    expect(b.stats()).toMatchObject({ items: 4, rows: 2, coalesced: 2 });
  });

  it('keeps a coalesced item queued while another of its callers cancels', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: string[]) => items);
    const b = new Batcher<string, string>({ run, clock, maxDelayMs: 5, coalesceKeyOf: (s) => s });
    const ac = new AbortController();
    const gone = outcome(b.add('a', { signal: ac.signal }));
    const stays = b.add('a');
    ac.abort();
    clock.advance(5);
    expect(calls[0]?.items).toEqual(['a']);
    expect(await stays).toBe('a');
    expect(gone.error).toBeInstanceOf(BatcherAbortedError);
  });
});

describe('deadlines and cancellation while queued', () => {
  it('rejects an item whose deadline passes in the queue, and the runner never sees it', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: string[]) => items);
    const b = new Batcher<string, string>({ run, clock, maxBatchSize: 8, maxDelayMs: 10 });
    const late = outcome(b.add('late', { deadline: 4 }));
    const ok = b.add('ok');
    clock.advance(4);
    await flush();
    expect(late.error).toBeInstanceOf(BatcherDeadlineError);
    expect(late.error).toMatchObject({ code: 'IM_BATCH_DEADLINE', deadline: 4, queued: true });
    expect(calls).toHaveLength(0);
    clock.advance(6);
    expect(calls[0]?.items).toEqual(['ok']);
    expect(await ok).toBe('ok');
    await expect(b.add('past', { deadline: 10 })).rejects.toMatchObject({ code: 'IM_BATCH_DEADLINE' });
    expect(b.stats().rejected.deadline).toBe(2);
  });

  it('rejects an item aborted in the queue with its reason as cause, and the runner never sees it', async () => {
    const clock = new ManualClock();
    const { calls, run } = recordingRunner((items: string[]) => items);
    const b = new Batcher<string, string>({ run, clock, maxBatchSize: 2, maxDelayMs: 10 });
    const ac = new AbortController();
    const cancelled = outcome(b.add('cancelled', { signal: ac.signal }));
    ac.abort('user left');
    await flush();
    expect(cancelled.error).toBeInstanceOf(BatcherAbortedError);
    expect(cancelled.error).toMatchObject({ code: 'IM_BATCH_ABORTED', queued: true, cause: 'user left' });
    // The cancelled item no longer counts toward a full batch.
    const a = b.add('a');
    expect(calls).toHaveLength(0);
    const c = b.add('c');
    expect(calls[0]?.items).toEqual(['a', 'c']);
    await Promise.all([a, c]);
    await expect(b.add('x', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(BatcherAbortedError);
    expect(b.stats().rejected.aborted).toBe(2);
  });

  it('aborts the batch signal only when every caller of a sent batch has given up', async () => {
    const clock = new ManualClock();
    const held = heldRunner<string, string>();
    const b = new Batcher<string, string>({ run: held.run, clock, maxBatchSize: 2 });
    const one = new AbortController();
    const first = outcome(b.add('a', { signal: one.signal }));
    const second = outcome(b.add('b', { deadline: 5 }));
    const signal = held.calls[0]!.signal;
    const heard: unknown[] = [];
    signal.addEventListener('abort', () => heard.push(signal.reason));
    one.abort();
    await flush();
    expect(first.error).toMatchObject({ code: 'IM_BATCH_ABORTED', queued: false });
    expect(signal.aborted).toBe(false);
    clock.advance(5);
    await flush();
    expect(second.error).toMatchObject({ code: 'IM_BATCH_DEADLINE', queued: false });
    expect(signal.aborted).toBe(true);
    expect(heard).toEqual([second.error]);
    // A real AbortSignal, made when first asked for, in the same state.
    expect(signal.signal).toBeInstanceOf(AbortSignal);
    expect([signal.signal.aborted, signal.signal.reason]).toEqual([true, second.error]);
    held.calls[0]?.resolve(['late a', 'late b']);
    await flush();
    expect(first.value).toBeUndefined();
  });

  it('leaves no timer and no abort listener behind once a caller is settled, however it ends', async () => {
    const clock = new ManualClock();
    const held = heldRunner<string, string>();
    const b = new Batcher<string, string>({ run: held.run, clock, maxBatchSize: 2, maxDelayMs: 50, deadlineMarginMs: 5 });
    const signals = [new AbortController(), new AbortController(), new AbortController()].map((c) => c.signal);
    const answered = [b.add('a', { signal: signals[0], deadline: 100 }), b.add('b', { signal: signals[1], deadline: 200 })];
    expect(getEventListeners(signals[0] as AbortSignal, 'abort')).toHaveLength(1);
    expect(clock.pending).toBe(2); // one deadline-margin timer per caller; the batch left at once (full)
    held.calls[0]?.resolve(['A', 'B']);
    expect(await Promise.all(answered)).toEqual(['A', 'B']);
    const expired = outcome(b.add('c', { signal: signals[2], deadline: clock.now() + 10 }));
    clock.advance(10); // the margin makes it urgent and sends it; then its deadline passes while it runs
    await flush();
    expect(expired.error).toMatchObject({ code: 'IM_BATCH_DEADLINE', queued: false });
    expect(clock.pending).toBe(0);
    for (const signal of signals) expect(getEventListeners(signal as AbortSignal, 'abort')).toHaveLength(0);
  });
});
