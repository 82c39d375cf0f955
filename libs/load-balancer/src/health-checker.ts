import type { Clock, RandomSource } from './clock.js';
import type { HealthCheck, ParsedHealthOptions } from './options.js';

/** Reported when an endpoint crosses a threshold, never on every check. */
export type HealthTransition = (id: string, healthy: boolean, reason: string) => void;

interface Target<E> {
  readonly id: string;
  readonly endpoint: E;
  healthy: boolean;
  successes: number;
  failures: number;
  timer: unknown;
  timeout: unknown;
  abort: AbortController | undefined;
  stopped: boolean;
}

/**
 * Active health checks: each watched endpoint is probed every `intervalMs` (± `jitter`), one probe at
 * a time. A probe that rejects or outlives `timeoutMs` is a failure (its signal is aborted).
 * `unhealthyThreshold` failures in a row make a healthy endpoint unhealthy; `healthyThreshold`
 * successes in a row bring it back. Endpoints start healthy.
 */
export class HealthChecker<E> {
  readonly #options: ParsedHealthOptions;
  readonly #check: HealthCheck<E>;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #onTransition: HealthTransition;
  readonly #targets = new Map<string, Target<E>>();

  constructor(options: ParsedHealthOptions, check: HealthCheck<E>, clock: Clock, random: RandomSource, onTransition: HealthTransition) {
    this.#options = options;
    this.#check = check;
    this.#clock = clock;
    this.#random = random;
    this.#onTransition = onTransition;
  }

  /** Starts probing. The first probe runs within the first `jitter × intervalMs` (at once with no jitter). */
  watch(id: string, endpoint: E): void {
    const target: Target<E> = {
      id, endpoint, healthy: true, successes: 0, failures: 0, timer: undefined, timeout: undefined, abort: undefined, stopped: false,
    };
    this.#targets.set(id, target);
    this.#schedule(target, this.#options.intervalMs * this.#options.jitter * this.#random());
  }

  unwatch(id: string): void {
    const target = this.#targets.get(id);
    if (target === undefined) return;
    this.#targets.delete(id);
    target.stopped = true;
    this.#clock.clearTimeout(target.timer);
    this.#clock.clearTimeout(target.timeout);
    target.abort?.abort(new Error('endpoint removed'));
  }

  close(): void {
    for (const id of [...this.#targets.keys()]) this.unwatch(id);
  }

  #schedule(target: Target<E>, delayMs: number): void {
    if (target.stopped) return;
    target.timer = this.#clock.setTimeout(() => this.#probe(target), delayMs);
  }

  #nextDelay(): number {
    const { intervalMs, jitter } = this.#options;
    return intervalMs * (1 + jitter * (2 * this.#random() - 1));
  }

  #probe(target: Target<E>): void {
    if (target.stopped) return;
    const abort = new AbortController();
    target.abort = abort;
    let settled = false;
    const settle = (ok: boolean, reason: string) => {
      if (settled || target.stopped) return;
      settled = true;
      target.abort = undefined;
      this.#clock.clearTimeout(target.timeout);
      this.#record(target, ok, reason);
      this.#schedule(target, this.#nextDelay());
    };
    target.timeout = this.#clock.setTimeout(() => {
      abort.abort(new Error(`health check timed out after ${this.#options.timeoutMs} ms`));
      settle(false, `health check timed out after ${this.#options.timeoutMs} ms`);
    }, this.#options.timeoutMs);
    let probe: Promise<void>;
    try {
      probe = Promise.resolve(this.#check(target.endpoint, abort.signal));
    } catch (error) {
      probe = Promise.reject(error);
    }
    probe.then(
      () => settle(true, 'health check passed'),
      (error: unknown) => settle(false, `health check failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  #record(target: Target<E>, ok: boolean, reason: string): void {
    if (ok) {
      target.successes += 1;
      target.failures = 0;
      if (!target.healthy && target.successes >= this.#options.healthyThreshold) {
        target.healthy = true;
        this.#onTransition(target.id, true, `${reason} ${target.successes} times in a row`);
      }
    } else {
      target.failures += 1;
      target.successes = 0;
      if (target.healthy && target.failures >= this.#options.unhealthyThreshold) {
        target.healthy = false;
        this.#onTransition(target.id, false, `${reason} (${target.failures} in a row)`);
      }
    }
  }
}
