import { at, type Candidate, type PickContext, type Strategy } from './strategy.js';

/**
 * Power of two choices (Mitzenmacher): draw two distinct candidates uniformly at random and keep the
 * one with fewer outstanding requests per unit of weight (the first drawn on a tie). Nearly as good
 * as least-connections while never herding every request onto the one endpoint that looks idle.
 */
export class PowerOfTwoChoices implements Strategy {
  readonly name = 'p2c' as const;

  pick<E>(candidates: readonly Candidate<E>[], { random }: PickContext): Candidate<E> {
    const n = candidates.length;
    if (n === 1) return at(candidates, 0);
    const i = Math.min(n - 1, Math.floor(random() * n));
    let j = Math.min(n - 2, Math.floor(random() * (n - 1)));
    if (j >= i) j += 1;
    const a = at(candidates, i);
    const b = at(candidates, j);
    return b.outstanding / b.weight < a.outstanding / a.weight ? b : a;
  }
}
