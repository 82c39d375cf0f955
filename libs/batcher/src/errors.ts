import { createError, errorBase } from '@infermesh/foundation';

/**
 * Every failure the batcher reports, as a code a caller can switch on without parsing messages.
 * The README documents each one; a test fails if one is missing there.
 */
export const BATCHER_ERROR_CODES = [
  'IM_BATCH_QUEUE_FULL',
  'IM_BATCH_DEADLINE',
  'IM_BATCH_ABORTED',
  'IM_BATCH_CLOSED',
  'IM_BATCH_ITEM_TOO_LARGE',
  'IM_BATCH_RESULT_MISMATCH',
] as const;
export type BatcherErrorCode = (typeof BATCHER_ERROR_CODES)[number];

/** Base class of every error the batcher rejects with. */
export class BatcherError extends errorBase<BatcherErrorCode>('BatcherError') {}

const where = (queued: boolean) => (queued ? 'queued' : 'running');

/** The key's queue already held `maxQueue` items: the add was refused at once (answer 429 upstream). */
export class QueueFullError extends createError(BatcherError, 'IM_BATCH_QUEUE_FULL', 'QueueFullError', (key: string, maxQueue: number) => `queue "${key}" is full (${maxQueue} items): item refused`, (key, maxQueue) => ({ key, maxQueue })) {}

/**
 * The item's deadline passed before its result arrived. `queued` is true when it was still queued: the runner
 * never saw it.
 */
export class BatcherDeadlineError extends createError(BatcherError, 'IM_BATCH_DEADLINE', 'BatcherDeadlineError', (key: string, deadline: number, queued: boolean) => `item in "${key}" passed its deadline (${deadline}) while ${where(queued)}`, (key, deadline, queued) => ({ key, deadline, queued })) {}

/** The item's AbortSignal fired. `cause` is the signal's reason. If it was still queued, the runner never saw it. */
export class BatcherAbortedError extends createError(BatcherError, 'IM_BATCH_ABORTED', 'BatcherAbortedError', (key: string, queued: boolean) => `item in "${key}" was aborted while ${where(queued)}`, (key, queued) => ({ key, queued })) {}

/** `add` was called after `close()`. */
export class BatcherClosedError extends createError(BatcherError, 'IM_BATCH_CLOSED', 'BatcherClosedError', () => 'the batcher is closed: item refused') {}

/** One item has more rows than its key's `maxBatchSize`, so no batch could ever hold it. */
export class ItemTooLargeError extends createError(BatcherError, 'IM_BATCH_ITEM_TOO_LARGE', 'ItemTooLargeError', (key: string, rows: number, maxBatchSize: number) => `item in "${key}" has ${rows} rows, more than maxBatchSize ${maxBatchSize}`, (key, rows, maxBatchSize) => ({ key, rows, maxBatchSize })) {}

/**
 * The runner returned something other than one result per item it was given: the whole batch fails.
 * `actual` is the length of what came back, or -1 if it was not an array.
 */
export class ResultMismatchError extends createError(BatcherError, 'IM_BATCH_RESULT_MISMATCH', 'ResultMismatchError', (key: string, expected: number, actual: number) => `runner for "${key}" returned ${actual < 0 ? 'a non-array' : `${actual} results`} for ${expected} items`, (key, expected, actual) => ({ key, expected, actual })) {}
