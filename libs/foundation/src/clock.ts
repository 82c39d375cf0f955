/**
 * A source of time and timers. `now()` and every deadline compared with it share one unit (ms) and one
 * origin; the timer handle is opaque. Inject a `ManualClock` in tests so no test sleeps.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SystemClockOptions {
  /** `epoch`: `Date.now()` (wall clock, comparable across processes); `monotonic`: `performance.now()`. */
  readonly origin: 'epoch' | 'monotonic';
  /** Whether a pending timer keeps the process alive (`false` unrefs it). */
  readonly ref: boolean;
}

/**
 * The process clock with the global timers. Each library picks its time base and keep-alive rule once:
 * a batcher's flush timer must keep a script alive, a health check's must not.
 */
export function systemClock({ origin, ref }: SystemClockOptions): Clock {
  return {
    now: origin === 'epoch' ? () => Date.now() : () => performance.now(),
    setTimeout: ref
      ? (fn, ms) => setTimeout(fn, ms)
      : (fn, ms) => {
          const handle = setTimeout(fn, ms);
          handle.unref();
          return handle;
        },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}
