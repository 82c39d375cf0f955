import type { AbortLike } from '@infermesh/foundation';
import { AbortedError } from './errors.js';
import type { GetOrComputeStatus } from './key-value-store.js';

interface Flight<V> {
  readonly promise: Promise<V>;
  readonly controller: AbortController;
  /** Callers that can still abort; one without a signal holds the flight for good. */
  waiters: number;
}

/**
 * Runs one piece of work per key at a time (per process): callers that arrive while a flight is running
 * share its result or its failure. Nothing is remembered once a flight settles, so a failure is not cached.
 */
export class Singleflight<V> {
  readonly #flights = new Map<string, Flight<V>>();

  get inFlight(): number {
    return this.#flights.size;
  }

  /** A flight for `key` is running now: a caller would join it. */
  has(key: string): boolean {
    return this.#flights.has(key);
  }

  run(key: string, work: (signal: AbortSignal) => Promise<V>, signal?: AbortLike): Promise<V> {
    if (signal?.aborted) return Promise.reject(new AbortedError(key, { cause: signal.reason }));
    const flight = this.#flights.get(key) ?? this.#start(key, work);
    if (signal === undefined) {
      flight.waiters = Number.POSITIVE_INFINITY;
      return flight.promise;
    }
    flight.waiters += 1;
    return new Promise<V>((resolve, reject) => {
      const onAbort = () => {
        flight.waiters -= 1;
        reject(new AbortedError(key, { cause: signal.reason }));
        // The last waiter left: stop the work and let the next caller start afresh.
        if (flight.waiters === 0) {
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
          flight.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  #start(key: string, work: (signal: AbortSignal) => Promise<V>): Flight<V> {
    const controller = new AbortController();
    const promise = Promise.resolve().then(() => work(controller.signal));
    const flight: Flight<V> = { promise, controller, waiters: 0 };
    this.#flights.set(key, flight);
    const done = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    // Handled here so a flight every waiter abandoned never surfaces as an unhandled rejection.
    promise.then(done, done);
    return flight;
  }
}

interface ComputeTarget<V> {
  get(key: string): Promise<V | undefined>;
  set(key: string, value: V, ttlMs: number | undefined): Promise<void>;
}

/**
 * getOrCompute over any tier: the lookup, the computation and the write happen inside one flight, so
 * concurrent misses of a key run `compute` once. A flight whose waiters all aborted does not write its result.
 */
export function computeThrough<V>(
  flights: Singleflight<V>,
  target: ComputeTarget<V>,
  key: string,
  compute: (signal: AbortSignal) => V | Promise<V>,
  ttlMs: number | undefined,
  signal: AbortLike | undefined,
  status?: GetOrComputeStatus,
): Promise<V> {
  if (status && flights.has(key)) status.outcome = 'joined';
  return flights.run(
    key,
    async (flightSignal) => {
      const cached = await target.get(key);
      if (cached !== undefined) {
        if (status) status.outcome ??= 'hit';
        return cached;
      }
      if (status) status.outcome ??= 'miss';
      const value = await compute(flightSignal);
      if (!flightSignal.aborted) await target.set(key, value, ttlMs);
      return value;
    },
    signal,
  );
}
