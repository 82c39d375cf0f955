import { at, type Candidate, type Strategy } from './strategy.js';

/**
 * nginx's smooth weighted round-robin: every pick adds each candidate's weight to its running
 * `current`, takes the largest, and subtracts the total from the winner. Over one cycle of
 * `sum(weights)` picks each endpoint is chosen exactly `weight` times, interleaved rather than bunched
 * (weights 5,1,1 give a a b a c a a, not a a a a a b c).
 */
export class SmoothWeightedRoundRobin implements Strategy {
  readonly name = 'weighted-round-robin' as const;
  readonly #current = new Map<string, number>();

  pick<E>(candidates: readonly Candidate<E>[]): Candidate<E> {
    let total = 0;
    let best = at(candidates, 0);
    let bestCurrent = -Infinity;
    for (const c of candidates) {
      const current = (this.#current.get(c.id) ?? 0) + c.weight;
      this.#current.set(c.id, current);
      total += c.weight;
      if (current > bestCurrent) {
        best = c;
        bestCurrent = current;
      }
    }
    this.#current.set(best.id, bestCurrent - total);
    return best;
  }

  forget(id: string): void {
    this.#current.delete(id);
  }
}
