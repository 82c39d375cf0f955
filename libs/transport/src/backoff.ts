import type { ParsedReconnectOptions } from './options.js';

/**
 * Exponential backoff with jitter: attempt n waits `min(maxDelayMs, initialDelayMs * factor^n)`,
 * then a random share (up to `jitter`) is taken off so that many dialers restarted together
 * do not reconnect in lockstep. The random source is injected so schedules are testable.
 */
export class Backoff {
  readonly #options: ParsedReconnectOptions;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: ParsedReconnectOptions, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** Failed attempts since the last success. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Whether `maxAttempts` failed attempts have been made. */
  get exhausted(): boolean {
    return this.#options.maxAttempts !== undefined && this.#attempt >= this.#options.maxAttempts;
  }

  /** The delay before the next attempt; counts one more failed attempt. */
  next(): number {
    const { initialDelayMs, maxDelayMs, factor, jitter } = this.#options;
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** this.#attempt);
    this.#attempt += 1;
    const r = Math.min(Math.max(this.#random(), 0), 1);
    return Math.round(base * (1 - jitter * r));
  }

  reset(): void {
    this.#attempt = 0;
  }
}
