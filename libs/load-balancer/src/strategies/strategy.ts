import type { RandomSource } from '../clock.js';

/** The names accepted by the `strategy` option. */
export const STRATEGY_NAMES = [
  'round-robin',
  'weighted-round-robin',
  'least-connections',
  'random',
  'p2c',
  'least-latency',
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** What a strategy may look at for one endpoint. Read-only: strategies never change the balancer. */
export interface Candidate<E> {
  readonly id: string;
  readonly endpoint: E;
  /** Configured weight times the slow-start factor; always > 0. */
  readonly weight: number;
  /** Leases taken and not yet released. */
  readonly outstanding: number;
  /** Least-latency cost estimate in ms at `context.now`, or undefined if it was never sampled. */
  latencyCost(now: number): number | undefined;
}

export interface PickContext {
  readonly now: number;
  readonly random: RandomSource;
}

/**
 * Chooses one of a non-empty list of candidates. The balancer filters candidates (health, draining,
 * `exclude`) before calling, so a strategy only ranks. `forget` drops per-endpoint state on removal.
 */
export interface Strategy {
  readonly name: StrategyName;
  pick<E>(candidates: readonly Candidate<E>[], context: PickContext): Candidate<E>;
  forget?(id: string): void;
}

/** Index of a candidate; the balancer never passes an empty list. */
export function at<E>(candidates: readonly Candidate<E>[], index: number): Candidate<E> {
  const c = candidates[index];
  if (c === undefined) throw new RangeError(`candidate index ${index} out of range (${candidates.length})`);
  return c;
}
