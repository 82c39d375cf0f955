import { ApiError } from '@infermesh/contracts';

export interface AdmissionOptions {
  /** Requests served at once; beyond it IM_OVERLOADED, whatever the deadlines. */
  maxInFlight: number;
  /** Monotonic ms (`performance.now()` in production; a manual clock in tests). */
  now: () => number;
  /** How fast the throughput estimate follows the measured one: its time constant, ms. Default 1000. */
  windowMs?: number;
  /** Completions before the estimate is trusted; until then only `maxInFlight` refuses. Default 50. */
  warmup?: number;
}

/**
 * Admission that follows time, not only a count. A request joins the requests in flight; by Little's law
 * it waits about (in flight + 1) ÷ throughput before its answer. When that is past the request's own
 * deadline, it could only time out after taking a slot and worker time from requests that can still
 * make theirs: it is refused at once with 429 IM_OVERLOADED and a Retry-After of the expected wait.
 * Throughput is an exponentially weighted rate of completions per ms of busy time (while anything is
 * in flight), measured, never configured: an idle spell says nothing about what the workers can do, so
 * it neither decays nor dilutes the estimate. A request with nothing ahead of it is always admitted.
 */
export class Admission {
  readonly #maxInFlight: number;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #warmup: number;
  #inFlight = 0;
  #completed = 0;
  /** Completions per ms. */
  #rate = 0;
  #last: number;

  constructor(options: AdmissionOptions) {
    this.#maxInFlight = options.maxInFlight;
    this.#now = options.now;
    this.#windowMs = options.windowMs ?? 1_000;
    this.#warmup = options.warmup ?? 50;
    this.#last = this.#now();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** The wait a request admitted now should expect, ms; undefined until the rate is known. */
  expectedWaitMs(): number | undefined {
    if (this.#completed < this.#warmup || this.#rate <= 0) return undefined;
    this.#advance(this.#now());
    return (this.#inFlight + 1) / this.#rate;
  }

  /** Every slot is taken: a request now would be refused whatever its deadline (an edge checks it before reading a body). */
  get full(): boolean {
    return this.#inFlight >= this.#maxInFlight;
  }

  /** The refusal of a request while `full`. */
  fullError(): ApiError {
    return new ApiError('IM_OVERLOADED', `the coordinator is serving ${this.#inFlight} requests, its limit`);
  }

  /** Takes a slot for a request due by `deadline` (monotonic ms), or refuses it. Pair with `release`. */
  admit(deadline: number): void {
    if (this.full) throw this.fullError();
    const wait = this.#inFlight === 0 ? undefined : this.expectedWaitMs();
    if (wait !== undefined && this.#now() + wait > deadline) {
      throw new ApiError(
        'IM_OVERLOADED',
        `the expected wait (${Math.round(wait)} ms at ${Math.round(this.#rate * 1000)} answers/s with ${this.#inFlight} in flight) is past the request's deadline`,
        { retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) },
      );
    }
    this.#advance(this.#now());
    this.#inFlight++;
  }

  /** A request admitted earlier is done (answered or failed). */
  release(): void {
    this.#advance(this.#now());
    this.#inFlight--;
    this.#rate += 1 / this.#windowMs;
    this.#completed++;
  }

  /**
   * Each completion adds 1/window to the rate, which decays with the window's time constant over busy
   * time only: an EWMA of completions per busy ms. Time since the last event counts when something was
   * in flight throughout it (the count changes only at events).
   */
  #advance(now: number): void {
    const dt = now - this.#last;
    if (dt <= 0) return;
    if (this.#inFlight > 0) this.#rate *= Math.exp(-dt / this.#windowMs);
    this.#last = now;
  }
}
