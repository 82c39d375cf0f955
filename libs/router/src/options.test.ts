import { describe, expect, it } from 'vitest';
import { ShardingOptionsSchema, RetryBudgetOptionsSchema, RouteConfigSchema } from './options.js';
import { createShardingStrategy } from './create-strategy.js';

describe('options', () => {
  it('has the documented defaults', () => {
    expect(ShardingOptionsSchema.parse({})).toEqual({ vnodes: 160, epsilon: 0.25 });
    const budget = RetryBudgetOptionsSchema.parse({});
    expect(budget).toMatchObject({ percentCanRetry: 0.2, minRetriesPerSecond: 10, windowMs: 10_000, buckets: 10 });
    expect(RouteConfigSchema.parse({})).toEqual({ shards: 1, strategy: 'jump' });
  });

  it('throws RangeError for a value out of range and TypeError for a wrong type or unknown key', () => {
    const hash = (): number => 0;
    expect(() => createShardingStrategy('ring', { hash, vnodes: 0 })).toThrow(RangeError);
    expect(() => createShardingStrategy('bounded-load', { hash, epsilon: 0 })).toThrow(/Invalid sharding option "epsilon"/);
    expect(() => createShardingStrategy('ring', { hash: 'xx' as never })).toThrow(TypeError);
    expect(() => createShardingStrategy('ring', { hash, replicas: 3 } as never)).toThrow(TypeError);
    expect(() => createShardingStrategy('nope' as never, { hash })).toThrow(TypeError);
  });
});
