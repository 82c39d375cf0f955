import { describe, expect, it } from 'vitest';
import { LoadBalancer } from './index.js';

describe('options', () => {
  it('rejects an unknown strategy with TypeError and an out-of-range value with RangeError', () => {
    expect(() => new LoadBalancer({ strategy: 'fastest' as 'p2c' })).toThrow(TypeError);
    expect(() => new LoadBalancer({ panicThreshold: 101 })).toThrow(RangeError);
    expect(() => new LoadBalancer({ outlier: { baseEjectionMs: 10, maxEjectionMs: 5 } })).toThrow(
      'Invalid load balancer option "outlier.maxEjectionMs": must be >= baseEjectionMs',
    );
    expect(() => new LoadBalancer({ health: { jitter: -1 } })).toThrow(RangeError);
  });

  it('rejects a non-positive weight', () => {
    const lb = new LoadBalancer<string>();
    expect(() => lb.add('a', 'a', { weight: 0 })).toThrow(RangeError);
    expect(() => lb.add('a', 'a', { weight: Number.NaN })).toThrow(TypeError);
    expect(lb.size).toBe(0);
  });
});
