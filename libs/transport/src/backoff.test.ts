import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';
import { ReconnectOptionsSchema } from './options.js';

const opts = (o: object) => ReconnectOptionsSchema.parse(o);

describe('Backoff', () => {
  it('grows by factor up to maxDelayMs, jitter taking up to its share off', () => {
    const none = new Backoff(opts({ initialDelayMs: 100, maxDelayMs: 1000, factor: 3, jitter: 0.5 }), () => 0);
    expect(Array.from({ length: 5 }, () => none.next())).toEqual([100, 300, 900, 1000, 1000]);
    const full = new Backoff(opts({ initialDelayMs: 100, maxDelayMs: 1000, factor: 3, jitter: 0.5 }), () => 1);
    expect(Array.from({ length: 5 }, () => full.next())).toEqual([50, 150, 450, 500, 500]);
  });

  it('counts attempts, is exhausted at maxAttempts, and starts over after reset', () => {
    const b = new Backoff(opts({ initialDelayMs: 10, factor: 2, jitter: 0, maxAttempts: 2 }), () => 0);
    expect(b.exhausted).toBe(false);
    expect([b.next(), b.next()]).toEqual([10, 20]);
    expect(b.attempt).toBe(2);
    expect(b.exhausted).toBe(true);
    b.reset();
    expect(b.exhausted).toBe(false);
    expect(b.next()).toBe(10);
  });

  it('never exhausts without maxAttempts and clamps a misbehaving random source', () => {
    const b = new Backoff(opts({ initialDelayMs: 10, maxDelayMs: 10, jitter: 1 }), () => 7);
    for (let i = 0; i < 100; i++) expect(b.next()).toBe(0);
    expect(b.exhausted).toBe(false);
  });
});
