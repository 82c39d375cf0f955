/** Time as the balancer sees it. Inject a manual one in tests and simulations. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A random source in [0, 1). */
export type RandomSource = () => number;

/**
 * The process clock. Timers are unref'd: health checks and ejection timers must not keep a process
 * alive on their own.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
