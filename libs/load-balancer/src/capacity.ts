/**
 * How many requests an endpoint takes at once. One `Capacity` may be shared by several balancers
 * (a worker that serves several models is a member of each model's balancer but has one set of
 * slots): a slot given back in one balancer wakes the waiters of all of them.
 */
export class Capacity {
  readonly limit: number;
  #used = 0;
  readonly #listeners = new Set<() => void>();

  /** `limit` is a positive integer, or `Infinity` for an endpoint that never says no. */
  constructor(limit: number) {
    if (typeof limit !== 'number' || Number.isNaN(limit)) throw new TypeError('Invalid capacity: expected a number');
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) {
      throw new RangeError(`Invalid capacity: expected an integer >= 1 or Infinity, got ${limit}`);
    }
    this.limit = limit;
  }

  /** Slots taken now. */
  get used(): number {
    return this.#used;
  }

  get free(): boolean {
    return this.#used < this.limit;
  }

  /** Takes a slot; the caller checked `free`. */
  take(): void {
    this.#used += 1;
  }

  /** Gives a slot back and tells every listener. */
  give(): void {
    this.#used -= 1;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Calls `listener` whenever a slot is given back; returns the unsubscribe function. */
  onFree(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
