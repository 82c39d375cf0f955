import type { AbortLike } from '@infermesh/foundation';
import type { Clock } from './clock.js';
import { AcquireAbortedError, AcquireTimeoutError } from './errors.js';

interface Waiter<L> {
  readonly exclude: ReadonlySet<string> | undefined;
  resolve(lease: L): void;
  reject(error: Error): void;
}

/**
 * The `acquire()` calls waiting for a slot, oldest first: each gives up at its deadline or when its
 * signal aborts (its timer and listener removed however it ends). The balancer decides who is served.
 */
export class AcquireQueue<L> {
  readonly #clock: Clock;
  readonly #waiters = new Set<Waiter<L>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#waiters.size;
  }

  /** Waits for `serve` to hand this caller a lease; `now` is the clock's time the caller checked its deadline at. */
  wait(exclude: ReadonlySet<string> | undefined, deadline: number | undefined, signal: AbortLike | undefined, now: number): Promise<L> {
    return new Promise<L>((resolve, reject) => {
      let timer: unknown;
      const settle = (): void => {
        this.#waiters.delete(waiter);
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter<L> = {
        exclude,
        resolve: (lease) => {
          settle();
          resolve(lease);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const onAbort = (): void => waiter.reject(new AcquireAbortedError({ cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (deadline !== undefined) timer = this.#clock.setTimeout(() => waiter.reject(new AcquireTimeoutError(deadline)), deadline - now);
      this.#waiters.add(waiter);
    });
  }

  /**
   * Offers each waiter, oldest first, what `pick` gives for its exclusions; a waiter `refuse` returns an
   * error for (no member is left to serve it) is rejected with it.
   */
  serve(pick: (exclude: ReadonlySet<string> | undefined) => L | undefined | null, refuse: (exclude: ReadonlySet<string> | undefined) => Error | undefined): void {
    for (const waiter of [...this.#waiters]) {
      const lease = pick(waiter.exclude);
      if (lease) {
        waiter.resolve(lease);
        continue;
      }
      const error = refuse(waiter.exclude);
      if (error) waiter.reject(error);
    }
  }

  rejectAll(error: Error): void {
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }
}
