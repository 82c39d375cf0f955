import { at, type Candidate, type Strategy } from './strategy.js';

/**
 * Plain rotation over the candidates in the order given (membership order). Ignores weights, so
 * slow start does not apply; use `weighted-round-robin` when endpoints differ.
 */
export class RoundRobin implements Strategy {
  readonly name = 'round-robin' as const;
  #next = 0;

  pick<E>(candidates: readonly Candidate<E>[]): Candidate<E> {
    const index = this.#next % candidates.length;
    this.#next = (index + 1) % Number.MAX_SAFE_INTEGER;
    return at(candidates, index);
  }
}
