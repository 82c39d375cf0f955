import { RetryBudgetExhaustedError } from './errors.js';
import { parseOptions, RetryBudgetOptionsSchema, type RetryBudgetOptions } from './options.js';

/**
 * A retry budget in the manner of Finagle's RetryBudget and Envoy's retry_budget: retries may be at most
 * `percentCanRetry` of the requests seen in the last `windowMs`, plus `minRetriesPerSecond` so a quiet
 * client can still retry. During an outage every request fails, and a per-request retry count would
 * multiply the load on whatever is still up; a budget caps the extra load at that fraction.
 *
 * The window is `buckets` fixed slices that expire one by one. Only first attempts count as requests.
 */
export class RetryBudget {
  readonly percentCanRetry: number;
  readonly minRetriesPerSecond: number;
  readonly windowMs: number;
  #now: () => number;
  #sliceMs: number;
  #requests: number[];
  #retries: number[];
  #slice: number;

  constructor(options?: RetryBudgetOptions) {
    const parsed = parseOptions(RetryBudgetOptionsSchema, options ?? {}, 'retry budget');
    this.percentCanRetry = parsed.percentCanRetry;
    this.minRetriesPerSecond = parsed.minRetriesPerSecond;
    this.windowMs = parsed.windowMs;
    this.#now = parsed.now;
    this.#sliceMs = parsed.windowMs / parsed.buckets;
    this.#requests = new Array<number>(parsed.buckets).fill(0);
    this.#retries = new Array<number>(parsed.buckets).fill(0);
    this.#slice = this.#sliceAt(this.#now());
  }

  /** Counts one first attempt: it earns `percentCanRetry` of a retry. */
  recordRequest(): void {
    this.#advance();
    this.#bump(this.#requests);
  }

  /** Takes one retry if the budget has room and returns true; returns false (and takes nothing) if not. */
  tryRetry(): boolean {
    if (this.available < 1) return false;
    this.#bump(this.#retries);
    return true;
  }

  /** `tryRetry()` that throws RetryBudgetExhaustedError instead of returning false. */
  acquireRetry(): void {
    if (!this.tryRetry()) throw new RetryBudgetExhaustedError();
  }

  /** Requests recorded in the current window. */
  get requests(): number {
    this.#advance();
    return sum(this.#requests);
  }

  /** Retries taken in the current window. */
  get retries(): number {
    this.#advance();
    return sum(this.#retries);
  }

  /** Retries still allowed now: percent·requests + min·window seconds − retries, floored. */
  get available(): number {
    this.#advance();
    const allowance = this.percentCanRetry * sum(this.#requests) + (this.minRetriesPerSecond * this.windowMs) / 1000;
    // The epsilon keeps 0.2 · 5 from landing at 0.9999… and refusing a retry that is owed.
    return Math.max(0, Math.floor(allowance - sum(this.#retries) + 1e-9));
  }

  #sliceAt(t: number): number {
    return Math.floor(t / this.#sliceMs);
  }

  #bump(counts: number[]): void {
    const i = this.#slice % counts.length;
    counts[i] = (counts[i] ?? 0) + 1;
  }

  #advance(): void {
    const now = this.#sliceAt(this.#now());
    if (now <= this.#slice) return;
    const n = this.#requests.length;
    const expired = Math.min(n, now - this.#slice);
    for (let k = 1; k <= expired; k++) {
      const i = (this.#slice + k) % n;
      this.#requests[i] = 0;
      this.#retries[i] = 0;
    }
    this.#slice = now;
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
