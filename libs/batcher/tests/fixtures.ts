import type { BatchInfo, BatchResult, BatchSignal } from '../src/index.js';

export interface RunCall<I> {
  items: I[];
  key: string;
  signal: BatchSignal;
  info: BatchInfo;
}

/** Lets queued promise callbacks run (a macrotask turn, not a timer: nothing waits on the clock). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A runner that records its calls and answers with `answer(items)` at once. */
export function recordingRunner<I, R>(answer: (items: I[]) => ReadonlyArray<R | BatchResult<R> | Error>) {
  const calls: RunCall<I>[] = [];
  const run = (items: I[], key: string, signal: BatchSignal, info: BatchInfo) => {
    calls.push({ items, key, signal, info });
    return Promise.resolve(answer(items));
  };
  return { calls, run };
}

/** A runner whose batches stay in flight until the test settles them, in any order. */
export function heldRunner<I, R>() {
  const calls: Array<RunCall<I> & { resolve: (r: ReadonlyArray<R | BatchResult<R> | Error>) => void; reject: (e: unknown) => void }> = [];
  const run = (items: I[], key: string, signal: BatchSignal, info: BatchInfo) =>
    new Promise<ReadonlyArray<R | BatchResult<R> | Error>>((resolve, reject) => {
      calls.push({ items, key, signal, info, resolve, reject });
    });
  return { calls, run };
}

/** Collects how each promise settled, without unhandled rejections. */
export function outcome<T>(p: Promise<T>): { readonly value?: T; readonly error?: unknown; readonly settled: boolean } {
  const o: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  p.then(
    (value) => {
      o.value = value;
      o.settled = true;
    },
    (error: unknown) => {
      o.error = error;
      o.settled = true;
    },
  );
  return o;
}
