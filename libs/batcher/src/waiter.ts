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

/** One `add` call, from the moment it is queued until its promise settles. */
export interface Waiter<I, R> extends QueueEntry {
  readonly item: I;
  readonly rows: number;
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
  state: 'queued' | 'sent' | 'settled';
  group: CoalesceGroup<I, R> | undefined;
  /** The deadline (or deadline-margin) timer, while one is armed. */
  timer: unknown;
  /** Its deadline margin has been reached: it must leave in the next batch. */
  urgent: boolean;
  onAbort: (() => void) | undefined;
  batch: Abandonable<I, R> | undefined;
}

/** Settles a waiter once, releasing its timer and its abort listener. Returns false if it was already settled. */
export function settle<I, R>(w: Waiter<I, R>, clock: Clock, ok: boolean, value: unknown): boolean {
  if (w.state === 'settled') return false;
  w.state = 'settled';
  if (w.timer !== undefined) {
    clock.clearTimeout(w.timer);
    w.timer = undefined;
  }
  if (w.onAbort !== undefined) {
    w.signal?.removeEventListener('abort', w.onAbort);
    w.onAbort = undefined;
  }
  w.batch = undefined;
  if (ok) w.resolve(value as R);
  else w.reject(value);
  return true;
}
