import { systemClock as foundationClock, type Clock } from '@infermesh/foundation';

export type { Clock };

/** A random source in [0, 1). */
export type RandomSource = () => number;

/**
 * The process clock (`performance.now()`, monotonic). Timers are unref'd: health checks and ejection
 * timers must not keep a process alive on their own.
 */
export const systemClock: Clock = foundationClock({ origin: 'monotonic', ref: false });
