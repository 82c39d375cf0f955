import { ManualClock } from '@infermesh/foundation';
import { ApiError } from '@infermesh/contracts';
import { describe, expect, it } from 'vitest';
import { RateLimits, TokenBucket, type RateSubject } from './rate-limits.js';

const refusal = (limits: RateLimits, subject: RateSubject): ApiError | undefined => {
  try {
    limits.take(subject);
    return undefined;
  } catch (error) {
    return error as ApiError;
  }
};

describe('TokenBucket', () => {
  it('starts full, gives `burst` at once, then refills at perSecond and never above burst', () => {
    const clock = new ManualClock(1_000);
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, clock.now());
    expect([bucket.take(clock.now()), bucket.take(clock.now()), bucket.take(clock.now())]).toEqual([0, 0, 0]);
    expect(bucket.take(clock.now())).toBe(500);
    clock.advance(250);
    expect(bucket.take(clock.now())).toBe(250);
    clock.advance(250);
    expect(bucket.take(clock.now())).toBe(0);
    clock.advance(60_000);
    expect([0, 1, 2, 3].map(() => bucket.take(clock.now()))).toEqual([0, 0, 0, 500]);
  });
});

describe('RateLimits', () => {
  it('limits each key on its own bucket: one key over its limit leaves the others alone', () => {
    const clock = new ManualClock();
    const limits = new RateLimits({ default: { perSecond: 1, burst: 2 }, perKey: new Map(), clock });
    expect([refusal(limits, { key: 0 }), refusal(limits, { key: 0 })]).toEqual([undefined, undefined]);
    const refused = refusal(limits, { key: 0 });
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused?.code).toBe('IM_RATE_LIMITED');
    expect(refused?.spec).toMatchObject({ http: 429, retryable: true, retryAfter: true });
    expect(refused?.retryAfterSeconds).toBe(1);
    expect(refusal(limits, { key: 1 })).toBeUndefined();
    clock.advance(1_000);
    expect(refusal(limits, { key: 0 })).toBeUndefined();
  });

  it('computes Retry-After from the bucket: whole seconds until a token is back, at least 1', () => {
    const clock = new ManualClock();
    const limits = new RateLimits({ default: undefined, perKey: new Map([[3, { perSecond: 0.2, burst: 1 }]]), clock });
    expect(refusal(limits, { key: 3 })).toBeUndefined();
    expect(refusal(limits, { key: 3 })?.retryAfterSeconds).toBe(5);
    clock.advance(2_500);
    expect(refusal(limits, { key: 3 })?.retryAfterSeconds).toBe(3);
    clock.advance(2_400);
    expect(refusal(limits, { key: 3 })?.retryAfterSeconds).toBe(1);
    // No default: other keys are not limited at all.
    for (let i = 0; i < 100; i++) expect(refusal(limits, { key: 4 })).toBeUndefined();
  });

  it('a per-key limit wins over the default', () => {
    const clock = new ManualClock();
    const limits = new RateLimits({ default: { perSecond: 1, burst: 1 }, perKey: new Map([[0, { perSecond: 100, burst: 50 }]]), clock });
    for (let i = 0; i < 50; i++) expect(refusal(limits, { key: 0 })).toBeUndefined();
    expect(refusal(limits, { key: 0 })?.code).toBe('IM_RATE_LIMITED');
    expect(refusal(limits, { key: 1 })).toBeUndefined();
    expect(refusal(limits, { key: 1 })?.code).toBe('IM_RATE_LIMITED');
  });

  it('without keys, limits each client address with the default', () => {
    const clock = new ManualClock();
    const limits = new RateLimits({ default: { perSecond: 1, burst: 1 }, perKey: new Map(), clock });
    expect(refusal(limits, { address: '10.0.0.1' })).toBeUndefined();
    expect(refusal(limits, { address: '10.0.0.1' })?.code).toBe('IM_RATE_LIMITED');
    expect(refusal(limits, { address: '10.0.0.2' })).toBeUndefined();
    expect(new RateLimits({ default: undefined, perKey: new Map(), clock }).enabled).toBe(false);
  });

  it('refuses a limit that cannot refill', () => {
    expect(() => new RateLimits({ default: { perSecond: 0, burst: 1 }, perKey: new Map(), clock: new ManualClock() })).toThrow(RangeError);
  });
});
