import fc from 'fast-check';
import { createShardingStrategy } from '../src/create-strategy.js';
import { loadHash } from '../src/hash.js';
import type { StrategyName } from '../src/options.js';
import type { ShardingStrategy } from '../src/strategy.js';

/** Loads xxHash32 once; every test file calls it in beforeAll (resolving to nothing, not a teardown). */
export async function ready(): Promise<void> {
  await loadHash();
}

export const CONSISTENT: readonly StrategyName[] = ['ring', 'rendezvous', 'jump', 'bounded-load'];
export const ALL: readonly StrategyName[] = ['modulo', ...CONSISTENT];

export function build(name: StrategyName, nodes: readonly string[]): ShardingStrategy {
  const s = createShardingStrategy(name, { vnodes: 100 });
  for (const n of nodes) s.add(n);
  return s;
}

export const nodeIds = (min: number, max: number): fc.Arbitrary<string[]> =>
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: min, maxLength: max });

export const keyList = fc.uniqueArray(fc.string({ maxLength: 24 }), { minLength: 1, maxLength: 200 });

export function keys(n: number, prefix = 'key'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}:${i}`);
}

/** Fraction of `ks` whose owner differs between two strategies. */
export function moved(before: ShardingStrategy, after: ShardingStrategy, ks: readonly string[]): number {
  let count = 0;
  for (const k of ks) if (before.lookup(k) !== after.lookup(k)) count++;
  return count / ks.length;
}
