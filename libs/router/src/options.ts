import { fn, parseOptions } from '@infermesh/foundation';
import { z } from 'zod/v4';
import type { Hasher } from './hash.js';

export const STRATEGY_NAMES = ['modulo', 'ring', 'rendezvous', 'jump', 'bounded-load'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** Options of every sharding strategy; a strategy ignores the ones it has no use for. */
export const ShardingOptionsSchema = z.strictObject({
  /** 32-bit string hash; absent means xxHash32 from `loadHash()`. */
  hash: fn<Hasher>().optional(),
  /** Ring points per unit of weight (ring, bounded-load). */
  vnodes: z.int().min(1).max(10_000).default(160),
  /** Load slack ε of bounded-load: no node takes work above ⌈(1+ε)·mean⌉. */
  epsilon: z.number().gt(0).max(100).default(0.25),
});
export type ShardingOptions = z.input<typeof ShardingOptionsSchema>;
export type ParsedShardingOptions = z.output<typeof ShardingOptionsSchema>;

export const RetryBudgetOptionsSchema = z.strictObject({
  /** Retries allowed as a fraction of the requests recorded in the window. */
  percentCanRetry: z.number().min(0).max(1).default(0.2),
  /** Retries always allowed per second of window, so a quiet service can still retry. */
  minRetriesPerSecond: z.number().min(0).max(1_000_000).default(10),
  /** Length of the sliding window. */
  windowMs: z.int().min(1).max(3_600_000).default(10_000),
  /** Buckets the window is divided in: the window slides by windowMs / buckets. */
  buckets: z.int().min(1).max(1000).default(10),
  /** Clock in milliseconds (inject a fake one in tests). */
  now: fn<() => number>().default(() => Date.now),
});
export type RetryBudgetOptions = z.input<typeof RetryBudgetOptionsSchema>;
export type ParsedRetryBudgetOptions = z.output<typeof RetryBudgetOptionsSchema>;

/** How one target of a routing table is sharded and where it falls back to. */
export const RouteConfigSchema = z.strictObject({
  /** Number of shards the target's key space is split into; shards are numbered 0..shards-1. */
  shards: z.int().min(1).max(65_536).default(1),
  /** Strategy that maps a key to a shard. */
  strategy: z.enum(STRATEGY_NAMES).default('jump'),
  /** Target to resolve instead when this one has no healthy node (another version, a default model). */
  fallback: z.string().min(1).optional(),
});
export type RouteConfig = z.input<typeof RouteConfigSchema>;
export type ParsedRouteConfig = z.output<typeof RouteConfigSchema>;

export const RoutingTableOptionsSchema = z.strictObject({
  /** Routes known up front, by target. Targets without a route get the default one (1 shard). */
  routes: z.record(z.string().min(1), RouteConfigSchema).default({}),
  /** 32-bit string hash; absent means xxHash32 from `loadHash()`. */
  hash: fn<Hasher>().optional(),
  /** Longest fallback chain followed before giving up (cycles stop earlier). */
  maxFallbackDepth: z.int().min(0).max(64).default(4),
});
export type RoutingTableOptions = z.input<typeof RoutingTableOptionsSchema>;


/** Checks a node weight: finite and > 0, and an integer for the slot-based strategies. */
export function checkWeight(weight: number, strategy: StrategyName, integer: boolean): number {
  if (typeof weight !== 'number' || Number.isNaN(weight)) throw new TypeError(`weight must be a number, got ${String(weight)}`);
  if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`weight must be finite and > 0, got ${weight}`);
  if (integer && !Number.isInteger(weight)) {
    throw new RangeError(`strategy "${strategy}" takes integer weights (a node gets one slot per unit), got ${weight}`);
  }
  return weight;
}

// Re-exported for this library's own modules; the one implementation lives in @infermesh/foundation.
export { parseOptions };
