import type { AbortLike } from '@infermesh/foundation';
import type { Clock } from './clock.js';
import type { QueueEntry } from './priority-queue.js';

/** Queued callers with the same coalesce key: sent as one item, counted as one item's rows. */
export interface CoalesceGroup<I, R> {
  readonly key: string;
  readonly rows: number;
  readonly members: Set<Waiter<I, R>>;
}

/** The batch a waiter was sent in, seen from the waiter: it only needs to be able to give up on it. */
export interface Abandonable<I, R> {
  abandon(waiter: Waiter<I, R>, error: unknown): void;
}

/**
 * What only a caller with a deadline or a signal needs. It hangs off the waiter, so a plain `add` (no
 * deadline, no signal) allocates a waiter of a dozen fields and nothing else: every waiter lives until
 * its batch is answered, and at 100k queued callers their size is what the garbage collector copies.
 */
export interface Watch<I, R> {
  readonly deadline: number | undefined;
  readonly signal: AbortLike | undefined;
  /** The deadline (or deadline-margin) timer, while one is armed. */
  timer: unknown;
  /** Its deadline margin has been reached: it must leave in the next batch. */
  urgent: boolean;
  onAbort: (() => void) | undefined;
  /** The batch it was sent in, while it waits for that batch: a give-up after sending goes there. */
  batch: Abandonable<I, R> | undefined;
}

/** One `add` call, from the moment it is queued until its promise settles. */
export interface Waiter<I, R> extends QueueEntry {
  readonly item: I;
  readonly rows: number;
  /** What the caller of `add` got. */
  readonly promise: Promise<R>;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
  state: 'queued' | 'sent' | 'settled';
  group: CoalesceGroup<I, R> | undefined;
  watch: Watch<I, R> | undefined;
}

// `new Promise(executor)` runs the executor synchronously, so one shared executor can hand the two
// resolving functions over through these slots: no closure and no context object per `add`.
let caughtResolve: ((value: never) => void) | undefined;
let caughtReject: ((error: unknown) => void) | undefined;
function catchResolvers(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  caughtResolve = resolve;
  caughtReject = reject;
}

/**
 * A waiter and its caller's promise, not yet in a queue. Its priority and arrival time are kept by the
 * queue it joins, not by the waiter.
 */
export function createWaiter<I, R>(item: I, rows: number): Waiter<I, R> {
  const promise = new Promise<R>(catchResolvers);
  const waiter: Waiter<I, R> = {
    item, rows, promise,
    resolve: caughtResolve as (value: R) => void, reject: caughtReject as (error: unknown) => void,
    state: 'queued', group: undefined, watch: undefined, level: undefined, slot: 0,
  };
  caughtResolve = caughtReject = undefined;
  return waiter;
}

/** Settles a waiter once, releasing its timer and its abort listener. Returns false if it was already settled. */
export function settle<I, R>(w: Waiter<I, R>, clock: Clock, ok: boolean, value: unknown): boolean {
  if (w.state === 'settled') return false;
  w.state = 'settled';
  const watch = w.watch;
  if (watch !== undefined) {
    if (watch.timer !== undefined) {
      clock.clearTimeout(watch.timer);
      watch.timer = undefined;
    }
    if (watch.onAbort !== undefined) {
      watch.signal?.removeEventListener('abort', watch.onAbort);
      watch.onAbort = undefined;
    }
    watch.batch = undefined;
  }
  if (ok) w.resolve(value as R);
  else w.reject(value);
  return true;
}
