/**
 * The batcher's only source of time. `now()` and `deadline`s share one unit (ms) and one origin;
 * the timer handle is opaque. Inject a manual clock in tests so no test sleeps.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time (`Date.now()`, so deadlines are epoch ms) and the global timers, unref'd. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    // A pending flush timer must not keep a process alive that has nothing else to do.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
