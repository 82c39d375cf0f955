import { ApiError } from '@infermesh/contracts';
import { describe, expect, it } from 'vitest';
import { Admission } from './admission.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** Serves `n` requests at `perMs` completions per ms, one at a time. */
function serve(a: Admission, c: ReturnType<typeof clock>, n: number, perMs: number): void {
  for (let i = 0; i < n; i++) {
    a.admit(c.now() + 60_000);
    c.advance(1 / perMs);
    a.release();
  }
}

describe('Admission: refuses what could only answer after its deadline', () => {
  it('refuses beyond maxInFlight whatever the deadline', () => {
    const c = clock();
    const a = new Admission({ maxInFlight: 2, now: c.now });
    a.admit(1e9);
    a.admit(1e9);
    expect(() => a.admit(1e9)).toThrow(expect.objectContaining({ code: 'IM_OVERLOADED' }));
    a.release();
    a.admit(1e9);
    expect(a.inFlight).toBe(2);
  });

  it('learns the throughput and refuses a request whose expected wait is past its deadline, with that wait as Retry-After', () => {
    const c = clock();
    const a = new Admission({ maxInFlight: 10_000, now: c.now, warmup: 50 });
    // Before the warm-up only the count refuses: a tight deadline is admitted.
    a.admit(c.now() + 0.001);
    a.release();
    serve(a, c, 20_000, 2); // 2 answers per ms = 2000/s for 10 s: ten time constants, the estimate has settled
    expect(a.expectedWaitMs()).toBeCloseTo(0.5, 1);
    // 3999 in flight: a new one expects (3999 + 1) / 2 per ms = 2000 ms.
    for (let i = 0; i < 3_999; i++) a.admit(c.now() + 60_000);
    expect(a.expectedWaitMs()).toBeGreaterThan(1_990);
    expect(a.expectedWaitMs()).toBeLessThan(2_010);
    let refused: unknown;
    try {
      a.admit(c.now() + 1_000);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'IM_OVERLOADED', retryAfterSeconds: 2 });
    expect((refused as Error).message).toMatch(/expected wait \(\d+ ms at 2000 answers\/s with 3999 in flight\)/);
    // The same request with a deadline it can make is admitted.
    a.admit(c.now() + 3_000);
    expect(a.inFlight).toBe(4_000);
  });

  it('an idle spell leaves the estimate as it was: after an idle minute the first requests are admitted', () => {
    // The regression: the rate decayed over idle time, so after a minute without traffic the expected
    // wait of any request was ~1e23 ms and every request was refused, forever (none completed to lift it).
    const c = clock();
    const a = new Admission({ maxInFlight: 10_000, now: c.now, windowMs: 1_000 });
    serve(a, c, 1_000, 1);
    const busy = a.expectedWaitMs()!;
    c.advance(60_000);
    expect(a.expectedWaitMs()).toBeCloseTo(busy, 6);
    a.admit(c.now() + 1_000);
    a.admit(c.now() + 1_000);
    expect(a.inFlight).toBe(2);
  });

  it('follows a slower service: busy time with few completions lowers the rate', () => {
    const c = clock();
    const a = new Admission({ maxInFlight: 10_000, now: c.now, windowMs: 1_000 });
    serve(a, c, 1_000, 1);
    const fast = a.expectedWaitMs()!;
    serve(a, c, 200, 0.1); // 10 ms per answer for 2 s of busy time
    expect(a.expectedWaitMs()!).toBeGreaterThan(fast * 3);
  });

  it('admits a request with nothing in flight whatever the estimate says', () => {
    const c = clock();
    const a = new Admission({ maxInFlight: 10, now: c.now, windowMs: 1_000 });
    serve(a, c, 100, 0.001); // 1 s per answer
    expect(a.expectedWaitMs()!).toBeGreaterThan(500);
    a.admit(c.now() + 1);
    expect(() => a.admit(c.now() + 1)).toThrow(expect.objectContaining({ code: 'IM_OVERLOADED' }));
  });

  it('a stall with requests in flight decays the estimate; once they are gone the next request is admitted and completions rebuild it', () => {
    const c = clock();
    const a = new Admission({ maxInFlight: 10_000, now: c.now, windowMs: 1_000 });
    serve(a, c, 1_000, 1);
    // A stall (a worker's link cut): 16 requests in flight and no answers for 20 s.
    for (let i = 0; i < 16; i++) a.admit(c.now() + 60_000);
    c.advance(20_000);
    expect(a.expectedWaitMs()!).toBeGreaterThan(1e8);
    expect(() => a.admit(c.now() + 1_000)).toThrow(expect.objectContaining({ code: 'IM_OVERLOADED' }));
    for (let i = 0; i < 16; i++) a.release(); // they time out
    // Nothing is ahead of the next request: it is admitted, whatever the estimate says.
    a.admit(c.now() + 1_000);
    c.advance(1);
    a.release();
    // ...and every completion rebuilds it.
    serve(a, c, 50, 1);
    expect(a.expectedWaitMs()!).toBeLessThan(100);
  });
});
