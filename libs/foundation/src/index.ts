export { MAX_TIMER_MS, fn, parseOptions, pem } from './parse-options.js';
export { systemClock } from './clock.js';
export type { Clock, SystemClockOptions } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { createError, errorBase } from './create-error.js';
export type { CodedError, ErrorBase, ErrorMessage } from './create-error.js';
export { tuneHeapForServing } from './serving-heap.js';
export { LazyAbort } from './lazy-abort.js';
export type { AbortLike } from './lazy-abort.js';
