export { Batcher } from './batcher.js';
export type { BatchEvent, BatchEndEvent, RejectEvent, BatcherEvents } from './events.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { ManualClock } from '@infermesh/foundation';
export {
  BatcherOptionsSchema, BatchPolicySchema, BatchPolicyOverridesSchema, DEFAULT_POLICY,
} from './options.js';
export type {
  BatcherOptions, BatchPolicy, BatchPolicyOverrides, AddOptions, Runner, BatchResult, BatchInfo, BatchSignal, FlushReason,
} from './options.js';
export type { BatcherStats, RejectKind } from './stats.js';
export {
  BATCHER_ERROR_CODES, BatcherError, QueueFullError, BatcherDeadlineError, BatcherAbortedError, BatcherClosedError,
  ItemTooLargeError, ResultMismatchError,
} from './errors.js';
export type { BatcherErrorCode } from './errors.js';
export { groupBySize, padRows, unpadRow, paddingWaste } from './dynamic-shapes.js';
export type { WideRow, PaddedBatch } from './dynamic-shapes.js';
