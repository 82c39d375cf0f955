import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '../tests/fixtures.js';
import { createShardingStrategy } from './create-strategy.js';
import { RetryBudget } from './retry-budget.js';
import { Router } from './router.js';

beforeAll(ready);

function router(retryBudget: ConstructorParameters<typeof RetryBudget>[0] | false = { now: () => 0 }) {
  const strategy = createShardingStrategy('ring');
  for (const n of ['a', 'b', 'c', 'd']) strategy.add(n);
  return new Router({ strategy, retryBudget });
}

describe('Router', () => {
  it('routes to the owner while it is healthy, else to the next candidate in the strategy order', () => {
    const r = router();
    const order = r.strategy.candidates('key', 4);
    expect(r.route('key')).toBe(order[0]);
    expect(r.route('key', { isHealthy: (n) => n !== order[0] })).toBe(order[1]);
    expect(r.route('key', { isHealthy: (n) => n === order[3] })).toBe(order[3]);
    expect(r.candidates('key', { isHealthy: (n) => n !== order[1] })).toEqual([order[0], order[2], order[3]]);
  });

  it('retries on the next untried healthy candidate while the budget allows', () => {
    const r = router({ percentCanRetry: 0.5, minRetriesPerSecond: 0, now: () => 0 });
    const order = r.strategy.candidates('key', 4);
    const first = r.route('key');
    r.route('other');
    expect(r.retry('key', [first])).toBe(order[1]);
    expect(() => r.retry('key', [first, order[1]!])).toThrow(expect.objectContaining({ code: 'IM_ROUTER_RETRY_BUDGET_EXHAUSTED' }));
  });

  it('throws NoHealthyNodeError when every candidate is down and NoNodeError when there is none', () => {
    const r = router(false);
    expect(r.budget).toBeUndefined();
    expect(() => r.route('k', { isHealthy: () => false })).toThrow(expect.objectContaining({ code: 'IM_ROUTER_NO_HEALTHY_NODE', tried: expect.any(Array) }));
    expect(() => r.retry('k', ['a', 'b', 'c', 'd'])).toThrow(expect.objectContaining({ code: 'IM_ROUTER_NO_HEALTHY_NODE' }));
    const empty = new Router({ strategy: createShardingStrategy('jump') });
    expect(() => empty.route('k')).toThrow(expect.objectContaining({ code: 'IM_ROUTER_NO_NODE' }));
  });

  it('accepts a shared RetryBudget instance and refuses a non-strategy', () => {
    const budget = new RetryBudget({ now: () => 0 });
    const r = new Router({ strategy: createShardingStrategy('rendezvous'), retryBudget: budget });
    expect(r.budget).toBe(budget);
    expect(() => new Router({ strategy: {} as never })).toThrow(TypeError);
  });
});
