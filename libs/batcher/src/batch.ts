import type { Clock } from './clock.js';
import { ResultMismatchError } from './errors.js';
import type { BatchInfo, BatchResult, Runner } from './options.js';
import type { KeyStats } from './stats.js';
import { settle, type Abandonable, type Waiter } from './waiter.js';

/** One runner item and every caller it answers (more than one when items were coalesced). */
export interface Slot<I, R> {
  readonly item: I;
  readonly waiters: Waiter<I, R>[];
}

/** How a batch ended, for the `'batch-end'` event. */
export interface BatchOutcome {
  /** False when the whole batch failed: the runner threw or returned the wrong number of results. */
  readonly ok: boolean;
  readonly error: unknown;
}

/** `{ ok: true, value }` / `{ ok: false, error }`, told apart from a plain value by its exact keys. */
function isBatchResult<R>(v: unknown): v is BatchResult<R> {
  if (typeof v !== 'object' || v === null) return false;
  const ok = (v as { ok?: unknown }).ok;
  return (ok === true && 'value' in v) || (ok === false && 'error' in v);
}

/**
 * A batch handed to the runner: scatters its results to the callers, each exactly once, and aborts
 * the runner's signal when every caller has given up.
 */
export class InFlightBatch<I, R> implements Abandonable<I, R> {
  readonly #key: string;
  readonly #slots: Slot<I, R>[];
  readonly #clock: Clock;
  readonly #stats: KeyStats;
  readonly #controller = new AbortController();
  #live: number;

  constructor(key: string, slots: Slot<I, R>[], callers: number, clock: Clock, stats: KeyStats) {
    this.#key = key;
    this.#slots = slots;
    this.#clock = clock;
    this.#stats = stats;
    this.#live = callers;
    for (const slot of slots) for (const w of slot.waiters) {
      w.state = 'sent';
      w.batch = this;
    }
  }

  /**
   * Calls the runner now (synchronously) and resolves when every caller is settled. Results are
   * always scattered on a later microtask, so a synchronous runner cannot re-enter the queue.
   */
  run(runner: Runner<I, R>, info: BatchInfo): Promise<BatchOutcome> {
    const items = this.#slots.map((s) => s.item);
    let pending: Promise<ReadonlyArray<unknown>>;
    try {
      pending = Promise.resolve(runner(items, this.#key, this.#controller.signal, info));
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (results) => this.#scatter(results),
      (error: unknown) => this.#failAll(error),
    );
  }

  abandon(waiter: Waiter<I, R>, error: unknown): void {
    if (!settle(waiter, this.#clock, false, error)) return;
    this.#live -= 1;
    if (this.#live === 0) this.#controller.abort(error);
  }

  #scatter(results: unknown): BatchOutcome {
    const n = this.#slots.length;
    if (!Array.isArray(results) || results.length !== n) {
      return this.#failAll(new ResultMismatchError(this.#key, n, Array.isArray(results) ? results.length : -1));
    }
    for (let i = 0; i < n; i += 1) {
      const r: unknown = results[i];
      const waiters = (this.#slots[i] as Slot<I, R>).waiters;
      let ok = true;
      let value: unknown = r;
      if (r instanceof Error) ok = false;
      else if (isBatchResult<R>(r)) {
        ok = r.ok;
        value = r.ok ? r.value : r.error;
      }
      for (const w of waiters) if (settle(w, this.#clock, ok, value) && !ok) this.#stats.failed += 1;
    }
    return { ok: true, error: undefined };
  }

  #failAll(error: unknown): BatchOutcome {
    for (const slot of this.#slots) for (const w of slot.waiters) if (settle(w, this.#clock, false, error)) this.#stats.failed += 1;
    return { ok: false, error };
  }
}
