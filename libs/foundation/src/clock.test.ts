import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { ManualClock } from './manual-clock.js';

describe('systemClock', () => {
  it('reads the epoch or the monotonic clock', () => {
    expect(Math.abs(systemClock({ origin: 'epoch', ref: true }).now() - Date.now())).toBeLessThan(1_000);
    expect(Math.abs(systemClock({ origin: 'monotonic', ref: true }).now() - performance.now())).toBeLessThan(1_000);
  });
  it('refs or unrefs its timers', () => {
    for (const ref of [true, false]) {
      const clock = systemClock({ origin: 'monotonic', ref });
      const handle = clock.setTimeout(() => {}, 60_000) as ReturnType<typeof setTimeout>;
      expect(handle.hasRef()).toBe(ref);
      clock.clearTimeout(handle);
    }
  });
});

describe('ManualClock', () => {
  it('runs due timers in time order, ties in creation order, with now() at each due time', () => {
    const clock = new ManualClock(100);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => seen.push('x'), 5);
    clock.clearTimeout(cancelled);
    clock.advance(15);
    expect(seen).toEqual(['a@110']);
    clock.advance(100);
    expect(seen).toEqual(['a@110', 'b@120', 'c@120']);
    expect([clock.now(), clock.pending]).toEqual([215, 0]);
  });
  it('runs timers scheduled by a timer within the same advance', () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => seen.push(clock.now()), 5), 5);
    clock.advance(10);
    expect(seen).toEqual([10]);
  });
});
