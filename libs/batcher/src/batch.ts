import { LazyAbort } from '@infermesh/foundation';
import type { Clock } from './clock.js';
import { ResultMismatchError } from './errors.js';
import type { BatchInfo, BatchResult, Runner } from './options.js';
import type { KeyStats } from './stats.js';
import { settle, type Abandonable, type Waiter } from './waiter.js';

/**
 * Who waits on one runner item: its caller, or every caller of a coalesced group. A lone caller is held
 * as itself, not in an array of one, so the common batch allocates nothing per item.
 */
export type Answer<I, R> = Waiter<I, R> | ReadonlyArray<Waiter<I, R>>;

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

function isGroup<I, R>(a: Answer<I, R>): a is ReadonlyArray<Waiter<I, R>> {
  return Array.isArray(a);
}

/**
 * A batch handed to the runner: scatters its results to the callers, each exactly once, and aborts
 * the runner's signal when every caller has given up.
 */
export class InFlightBatch<I, R> implements Abandonable<I, R> {
  readonly #key: string;
  readonly #items: I[];
  readonly #answers: ReadonlyArray<Answer<I, R>>;
  readonly #clock: Clock;
  readonly #stats: KeyStats;
  readonly #abort = new LazyAbort();
  #live: number;

  /** `answers[i]` waits on `items[i]`; `callers` counts every waiter of every answer. */
  constructor(key: string, items: I[], answers: ReadonlyArray<Answer<I, R>>, callers: number, clock: Clock, stats: KeyStats) {
    this.#key = key;
    this.#items = items;
    this.#answers = answers;
    this.#clock = clock;
    this.#stats = stats;
    this.#live = callers;
    for (const a of answers) {
      if (isGroup(a)) for (const w of a) this.#send(w);
      else this.#send(a);
    }
  }

  #send(w: Waiter<I, R>): void {
    w.state = 'sent';
    if (w.watch !== undefined) w.watch.batch = this;
  }

  /**
   * Calls the runner now (synchronously) and resolves when every caller is settled. Results are
   * always scattered on a later microtask, so a synchronous runner cannot re-enter the queue.
   */
  run(runner: Runner<I, R>, info: BatchInfo): Promise<BatchOutcome> {
    let pending: Promise<ReadonlyArray<unknown>>;
    try {
      pending = Promise.resolve(runner(this.#items, this.#key, this.#abort, info));
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
    if (this.#live === 0) this.#abort.abort(error);
  }

  #scatter(results: unknown): BatchOutcome {
    const n = this.#answers.length;
    if (!Array.isArray(results) || results.length !== n) {
      return this.#failAll(new ResultMismatchError(this.#key, n, Array.isArray(results) ? results.length : -1));
    }
    for (let i = 0; i < n; i += 1) {
      const r: unknown = results[i];
      const answer = this.#answers[i] as Answer<I, R>;
      let ok = true;
      let value: unknown = r;
      if (r instanceof Error) ok = false;
      else if (isBatchResult<R>(r)) {
        ok = r.ok;
        value = r.ok ? r.value : r.error;
      }
      if (!isGroup(answer)) {
        if (settle(answer, this.#clock, ok, value) && !ok) this.#stats.failed += 1;
      } else {
        for (const w of answer) if (settle(w, this.#clock, ok, value) && !ok) this.#stats.failed += 1;
      }
    }
    return { ok: true, error: undefined };
  }

  #failAll(error: unknown): BatchOutcome {
    for (const a of this.#answers) {
      if (!isGroup(a)) {
        if (settle(a, this.#clock, false, error)) this.#stats.failed += 1;
      } else {
        for (const w of a) if (settle(w, this.#clock, false, error)) this.#stats.failed += 1;
      }
    }
    return { ok: false, error };
  }
}
