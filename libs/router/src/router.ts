import { z } from 'zod/v4';
import { NoHealthyNodeError, NoNodeError } from './errors.js';
import { parseOptions, RetryBudgetOptionsSchema } from './options.js';
import { RetryBudget } from './retry-budget.js';
import type { ShardingStrategy } from './strategy.js';

export const RouterOptionsSchema = z.strictObject({
  /** The sharding strategy whose order the router walks. */
  strategy: z.custom<ShardingStrategy>(
    (v) => typeof v === 'object' && v !== null && typeof (v as ShardingStrategy).candidates === 'function',
    'expected a ShardingStrategy',
  ),
  /** A RetryBudget, its options, or false for unlimited retries. */
  retryBudget: z
    .union([z.instanceof(RetryBudget), RetryBudgetOptionsSchema, z.literal(false)])
    .default(() => RetryBudgetOptionsSchema.parse({})),
});
export type RouterOptions = z.input<typeof RouterOptionsSchema>;

export interface RouteOptions {
  /** Health as the caller knows it; a node it returns false for is skipped. Default: every node is healthy. */
  isHealthy?: (node: string) => boolean;
  /** Nodes not to return (for example the ones already tried). */
  exclude?: Iterable<string>;
}

/**
 * Failover on top of a sharding strategy: a key goes to its first healthy candidate in the strategy's
 * own order, and a retry goes to the next one only while the retry budget allows it.
 */
export class Router {
  readonly strategy: ShardingStrategy;
  /** Absent when retries are unlimited (`retryBudget: false`). */
  readonly budget: RetryBudget | undefined;

  constructor(options: RouterOptions) {
    const parsed = parseOptions(RouterOptionsSchema, options ?? {}, 'router');
    this.strategy = parsed.strategy;
    const budget = parsed.retryBudget;
    this.budget = budget === false ? undefined : budget instanceof RetryBudget ? budget : new RetryBudget(budget);
  }

  /** Healthy candidates for `key`, in failover order, without touching the budget. */
  candidates(key: string, options: RouteOptions = {}): string[] {
    const excluded = new Set(options.exclude ?? []);
    const healthy = options.isHealthy ?? (() => true);
    return this.strategy
      .candidates(key, this.strategy.size)
      .filter((node) => !excluded.has(node) && healthy(node));
  }

  /**
   * A first attempt: records one request in the budget and returns the first healthy candidate.
   * Throws NoNodeError when the strategy is empty, NoHealthyNodeError when every node is unhealthy.
   */
  route(key: string, options: RouteOptions = {}): string {
    this.budget?.recordRequest();
    return this.#pick(key, options);
  }

  /**
   * A retry after `tried` failed: takes one retry from the budget (throws RetryBudgetExhaustedError when
   * there is none) and returns the next healthy candidate not in `tried`.
   */
  retry(key: string, tried: Iterable<string>, options: RouteOptions = {}): string {
    this.budget?.acquireRetry();
    const exclude = new Set(tried);
    for (const node of options.exclude ?? []) exclude.add(node);
    return this.#pick(key, { ...options, exclude });
  }

  #pick(key: string, options: RouteOptions): string {
    if (this.strategy.size === 0) throw new NoNodeError(this.strategy.name);
    const excluded = new Set(options.exclude ?? []);
    const healthy = options.isHealthy ?? (() => true);
    // The common case, the owner is fine, costs one lookup instead of a full failover order.
    const owner = this.strategy.lookup(key);
    if (!excluded.has(owner) && healthy(owner)) return owner;
    const all = this.strategy.candidates(key, this.strategy.size);
    for (const node of all) if (!excluded.has(node) && healthy(node)) return node;
    throw new NoHealthyNodeError(key, all);
  }
}
