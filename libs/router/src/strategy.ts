import type { StrategyName } from './options.js';

/**
 * Maps any string key to one of a set of node ids. Every strategy behind this interface gives the same
 * answer for the same nodes and key, in this process or another.
 */
export interface ShardingStrategy {
  readonly name: StrategyName;
  /** Node ids, in the order they were added. */
  readonly nodes: readonly string[];
  readonly size: number;
  has(node: string): boolean;
  /** Adds a node; weight scales its share of keys. Throws DuplicateNodeError if present. */
  add(node: string, weight?: number): void;
  /** Removes a node. Throws UnknownNodeError if absent. */
  remove(node: string): void;
  /** The node that owns `key`. Throws NoNodeError when empty. */
  lookup(key: string): string;
  /**
   * Up to `n` distinct nodes in the strategy's own failover order: the first is `lookup(key)`, each next
   * one is where the key goes if the ones before it were removed (exactly so for ring, rendezvous, jump).
   */
  candidates(key: string, n: number): string[];
}

export function checkCount(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`candidate count must be an integer >= 0, got ${n}`);
  return n;
}
