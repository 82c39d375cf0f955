import { at, type Candidate, type PickContext, type Strategy } from './strategy.js';

/** Picks an endpoint with probability `weight / sum(weights)`. */
export class WeightedRandom implements Strategy {
  readonly name = 'random' as const;

  pick<E>(candidates: readonly Candidate<E>[], { random }: PickContext): Candidate<E> {
    let total = 0;
    for (const c of candidates) total += c.weight;
    let r = random() * total;
    for (const c of candidates) {
      r -= c.weight;
      if (r < 0) return c;
    }
    // Only reached through floating-point rounding with r ≈ total.
    return at(candidates, candidates.length - 1);
  }
}
