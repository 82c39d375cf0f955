/**
 * Peak-EWMA latency estimate of one endpoint, after Finagle's and Envoy's peak EWMA.
 *
 * On a sample `x` taken `Δ` ms after the previous one:
 *   `w = exp(-Δ / decayMs)`; `ewma = x > ewma ? x : ewma·w + x·(1 − w)`.
 * A spike raises the estimate at once (peak), a recovery lowers it smoothly over ~`decayMs`.
 *
 * Read at time `now`, `s = now − lastSampleAt` ms after the last sample:
 *   `cost(now) = ewma · 2^(−s / penaltyHalfLifeMs)`.
 * A slow endpoint that stops getting traffic keeps a high estimate — the penalty that keeps it out —
 * but the penalty halves every `penaltyHalfLifeMs`, so it eventually looks cheap enough to get a
 * probe; the probe's sample then resets the estimate to what the endpoint does now.
 */
export class LatencyEstimator {
  readonly #decayMs: number;
  readonly #penaltyHalfLifeMs: number;
  #ewma = 0;
  #lastSampleAt: number | undefined;

  constructor(decayMs: number, penaltyHalfLifeMs: number) {
    this.#decayMs = decayMs;
    this.#penaltyHalfLifeMs = penaltyHalfLifeMs;
  }

  observe(now: number, latencyMs: number): void {
    const x = Math.max(0, latencyMs);
    if (this.#lastSampleAt === undefined || x > this.#ewma) {
      this.#ewma = x;
    } else {
      const w = Math.exp(-Math.max(0, now - this.#lastSampleAt) / this.#decayMs);
      this.#ewma = this.#ewma * w + x * (1 - w);
    }
    this.#lastSampleAt = now;
  }

  /** The smoothed latency in ms, without the staleness decay; undefined before the first sample. */
  get ewmaMs(): number | undefined {
    return this.#lastSampleAt === undefined ? undefined : this.#ewma;
  }

  /** The cost used for ranking at `now`; undefined before the first sample. */
  cost(now: number): number | undefined {
    if (this.#lastSampleAt === undefined) return undefined;
    const stale = Math.max(0, now - this.#lastSampleAt);
    return this.#ewma * 2 ** (-stale / this.#penaltyHalfLifeMs);
  }
}
