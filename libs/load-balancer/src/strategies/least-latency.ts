import { at, type Candidate, type PickContext, type Strategy } from './strategy.js';

/**
 * Lowest `score = cost × (outstanding + 1) / weight`, where `cost` is the endpoint's peak-EWMA latency
 * decayed by the time since its last sample (see `LatencyEstimator` and the README). Ties go to
 * the first in membership order.
 *
 * An endpoint never sampled has cost `unsampledPenaltyMs × outstanding`: 0 while idle, so a new
 * endpoint gets one probe at once, but it cannot soak up a burst before its first answer comes back.
 */
export class LeastLatency implements Strategy {
  readonly name = 'least-latency' as const;
  readonly #unsampledPenaltyMs: number;

  constructor(unsampledPenaltyMs: number) {
    this.#unsampledPenaltyMs = unsampledPenaltyMs;
  }

  pick<E>(candidates: readonly Candidate<E>[], { now }: PickContext): Candidate<E> {
    let best = at(candidates, 0);
    let bestScore = Infinity;
    for (const c of candidates) {
      const cost = c.latencyCost(now);
      const score =
        cost === undefined ? (this.#unsampledPenaltyMs * c.outstanding) / c.weight : (cost * (c.outstanding + 1)) / c.weight;
      if (score < bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }
}
