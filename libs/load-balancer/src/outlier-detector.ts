import type { Clock } from './clock.js';
import type { ParsedOutlierOptions } from './options.js';

export interface OutlierEvents {
  eject(id: string, durationMs: number, reason: string): void;
  restore(id: string): void;
}

interface Record {
  consecutive: number;
  /** Ejections that still count towards the next ejection's length. */
  times: number;
  ejected: boolean;
  restoredAt: number | undefined;
  timer: unknown;
}

/**
 * Envoy-style passive outlier detection on consecutive endpoint failures. The n-th ejection lasts
 * `min(baseEjectionMs × n, maxEjectionMs)`; `n` drops by one for every `baseEjectionMs` an endpoint
 * stays in, so an endpoint that failed once long ago starts from the base again. No ejection happens
 * if it would leave more than `maxEjectionPercent` of the tracked endpoints ejected.
 */
export class OutlierDetector {
  readonly #options: ParsedOutlierOptions;
  readonly #clock: Clock;
  readonly #events: OutlierEvents;
  readonly #records = new Map<string, Record>();
  #ejected = 0;

  constructor(options: ParsedOutlierOptions, clock: Clock, events: OutlierEvents) {
    this.#options = options;
    this.#clock = clock;
    this.#events = events;
  }

  track(id: string): void {
    this.#records.set(id, { consecutive: 0, times: 0, ejected: false, restoredAt: undefined, timer: undefined });
  }

  untrack(id: string): void {
    const r = this.#records.get(id);
    if (r === undefined) return;
    this.#clock.clearTimeout(r.timer);
    if (r.ejected) this.#ejected -= 1;
    this.#records.delete(id);
  }

  close(): void {
    for (const id of [...this.#records.keys()]) this.untrack(id);
  }

  /** How many times `id` has been ejected (after the decay described above). */
  ejections(id: string): number {
    return this.#records.get(id)?.times ?? 0;
  }

  success(id: string): void {
    const r = this.#records.get(id);
    if (r !== undefined) r.consecutive = 0;
  }

  failure(id: string): void {
    const r = this.#records.get(id);
    if (r === undefined || r.ejected || !this.#options.enabled) return;
    r.consecutive += 1;
    if (r.consecutive < this.#options.consecutiveFailures) return;
    // Keep counting when refused, so the endpoint is ejected as soon as another one comes back.
    if ((this.#ejected + 1) * 100 > this.#options.maxEjectionPercent * this.#records.size) return;
    const now = this.#clock.now();
    if (r.restoredAt !== undefined) {
      r.times = Math.max(0, r.times - Math.floor((now - r.restoredAt) / this.#options.baseEjectionMs));
    }
    r.times += 1;
    const durationMs = Math.min(this.#options.baseEjectionMs * r.times, this.#options.maxEjectionMs);
    r.ejected = true;
    this.#ejected += 1;
    r.timer = this.#clock.setTimeout(() => {
      r.ejected = false;
      r.consecutive = 0;
      r.restoredAt = this.#clock.now();
      this.#ejected -= 1;
      this.#events.restore(id);
    }, durationMs);
    this.#events.eject(id, durationMs, `${r.consecutive} consecutive endpoint failures`);
  }
}
