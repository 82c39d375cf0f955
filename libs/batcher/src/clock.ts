import { systemClock as foundationClock, type Clock } from '@infermesh/foundation';

export type { Clock };

/**
 * Wall-clock time (`Date.now()`, so deadlines are epoch ms) and the global timers. The timers keep the
 * process alive: the batcher only has timers while items are queued (the delay and deadline timers),
 * and a script awaiting a partly filled batch must see it flush. An idle batcher holds no timer.
 */
export const systemClock: Clock = foundationClock({ origin: 'epoch', ref: true });
