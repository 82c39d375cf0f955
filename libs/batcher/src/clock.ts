/**
 * The batcher's only source of time. `now()` and `deadline`s share one unit (ms) and one origin;
 * the timer handle is opaque. Inject a manual clock in tests so no test sleeps.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Wall-clock time (`Date.now()`, so deadlines are epoch ms) and the global timers. The timers keep the
 * process alive: the batcher only has timers while items are queued (the delay and deadline timers),
 * and a script awaiting a partly filled batch must see it flush. An idle batcher holds no timer.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    return setTimeout(fn, ms);
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
