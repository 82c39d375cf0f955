import { at, type Candidate, type Strategy } from './strategy.js';

/**
 * Fewest outstanding requests per unit of weight (`outstanding / weight`). Ties are broken
 * round-robin: the scan starts one place further each pick and keeps the first minimum, so equally
 * loaded endpoints take turns instead of the first one taking everything.
 */
export class LeastConnections implements Strategy {
  readonly name = 'least-connections' as const;
  #offset = 0;

  pick<E>(candidates: readonly Candidate<E>[]): Candidate<E> {
    const n = candidates.length;
    const start = this.#offset % n;
    this.#offset = (start + 1) % Number.MAX_SAFE_INTEGER;
    let best = at(candidates, start);
    let bestLoad = best.outstanding / best.weight;
    for (let k = 1; k < n; k++) {
      const c = at(candidates, (start + k) % n);
      const load = c.outstanding / c.weight;
      if (load < bestLoad) {
        best = c;
        bestLoad = load;
      }
    }
    return best;
  }
}
