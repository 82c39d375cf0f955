import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.js';

function clock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('RetryBudget', () => {
  it('allows percentCanRetry of the recorded requests', () => {
    const c = clock();
    const budget = new RetryBudget({ percentCanRetry: 0.2, minRetriesPerSecond: 0, now: c.now });
    expect(budget.tryRetry()).toBe(false);
    for (let i = 0; i < 10; i++) budget.recordRequest();
    expect(budget.available).toBe(2);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
    expect(budget.retries).toBe(2);
    for (let i = 0; i < 5; i++) budget.recordRequest();
    expect(budget.tryRetry()).toBe(true);
    expect(budget.tryRetry()).toBe(false);
  });

  it('adds minRetriesPerSecond · window seconds on top, so a quiet client can still retry', () => {
    const c = clock();
    const budget = new RetryBudget({ percentCanRetry: 0.1, minRetriesPerSecond: 0.5, windowMs: 4_000, now: c.now });
    expect(budget.available).toBe(2);
    for (let i = 0; i < 20; i++) budget.recordRequest();
    expect(budget.available).toBe(4);
  });

  it('forgets requests and retries once they slide out of the window', () => {
    const c = clock(1_000_000);
    const budget = new RetryBudget({ percentCanRetry: 0.5, minRetriesPerSecond: 0, windowMs: 10_000, buckets: 10, now: c.now });
    for (let i = 0; i < 4; i++) budget.recordRequest(); // slice 0
    c.advance(5_000);
    for (let i = 0; i < 6; i++) budget.recordRequest(); // slice 5
    expect(budget.requests).toBe(10);
    expect(budget.tryRetry()).toBe(true);
    c.advance(4_999);
    expect(budget.requests).toBe(10);
    c.advance(1);
    // The slice of the first 4 requests expired; the retry taken in slice 5 still counts.
    expect(budget.requests).toBe(6);
    expect(budget.retries).toBe(1);
    expect(budget.available).toBe(2);
    c.advance(5_000);
    expect(budget.requests).toBe(0);
    expect(budget.retries).toBe(0);
    c.advance(1_000_000);
    expect(budget.requests).toBe(0);
  });

  it('caps the retries of an outage at the budget, not at requests × attempts', () => {
    const c = clock();
    const budget = new RetryBudget({ now: c.now });
    let retries = 0;
    for (let second = 0; second < 60; second++) {
      for (let r = 0; r < 100; r++) {
        budget.recordRequest();
        for (let attempt = 0; attempt < 3 && budget.tryRetry(); attempt++) retries++;
      }
      c.advance(1_000);
    }
    // 6000 requests: 20 % + 10/s ≈ 1200 + a window's worth of minimum, never the 18000 that 3 retries each would be.
    expect(retries).toBeLessThanOrEqual(6_000 * 0.2 + 10 * 60 + 100);
    expect(retries).toBeGreaterThan(1_000);
  });

  it('throws RetryBudgetExhaustedError from acquireRetry when empty', () => {
    const budget = new RetryBudget({ minRetriesPerSecond: 0, now: () => 0 });
    expect(() => budget.acquireRetry()).toThrow(expect.objectContaining({ code: 'IM_ROUTER_RETRY_BUDGET_EXHAUSTED' }));
  });

  it('refuses bad options', () => {
    expect(() => new RetryBudget({ percentCanRetry: 2 })).toThrow(RangeError);
    expect(() => new RetryBudget({ windowMs: 'x' as unknown as number })).toThrow(TypeError);
    expect(() => new RetryBudget({ nope: 1 } as never)).toThrow(TypeError);
  });
});
