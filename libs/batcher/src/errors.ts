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

interface BatcherErrorOptions {
  cause?: unknown;
}

/** Base class of every error the batcher rejects with. */
export class BatcherError extends Error {
  override name = 'BatcherError';
  readonly code: BatcherErrorCode;
  constructor(code: BatcherErrorCode, message: string, options?: BatcherErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The key's queue already held `maxQueue` items: the add was refused at once (answer 429 upstream). */
export class QueueFullError extends BatcherError {
  override name = 'QueueFullError';
  readonly key: string;
  readonly maxQueue: number;
  constructor(key: string, maxQueue: number, options?: BatcherErrorOptions) {
    super('IM_BATCH_QUEUE_FULL', `queue "${key}" is full (${maxQueue} items): item refused`, options);
    this.key = key;
    this.maxQueue = maxQueue;
  }
}

/** The item's deadline passed before its result arrived. If it was still queued, the runner never saw it. */
export class BatcherDeadlineError extends BatcherError {
  override name = 'BatcherDeadlineError';
  readonly key: string;
  readonly deadline: number;
  /** True when the item was still queued (never sent to the runner). */
  readonly queued: boolean;
  constructor(key: string, deadline: number, queued: boolean, options?: BatcherErrorOptions) {
    super('IM_BATCH_DEADLINE', `item in "${key}" passed its deadline (${deadline}) while ${queued ? 'queued' : 'running'}`, options);
    this.key = key;
    this.deadline = deadline;
    this.queued = queued;
  }
}

/** The item's AbortSignal fired. `cause` is the signal's reason. If it was still queued, the runner never saw it. */
export class BatcherAbortedError extends BatcherError {
  override name = 'BatcherAbortedError';
  readonly key: string;
  readonly queued: boolean;
  constructor(key: string, queued: boolean, options?: BatcherErrorOptions) {
    super('IM_BATCH_ABORTED', `item in "${key}" was aborted while ${queued ? 'queued' : 'running'}`, options);
    this.key = key;
    this.queued = queued;
  }
}

/** `add` was called after `close()`. */
export class BatcherClosedError extends BatcherError {
  override name = 'BatcherClosedError';
  constructor(options?: BatcherErrorOptions) {
    super('IM_BATCH_CLOSED', 'the batcher is closed: item refused', options);
  }
}

/** One item has more rows than its key's `maxBatchSize`, so no batch could ever hold it. */
export class ItemTooLargeError extends BatcherError {
  override name = 'ItemTooLargeError';
  readonly key: string;
  readonly rows: number;
  readonly maxBatchSize: number;
  constructor(key: string, rows: number, maxBatchSize: number, options?: BatcherErrorOptions) {
    super('IM_BATCH_ITEM_TOO_LARGE', `item in "${key}" has ${rows} rows, more than maxBatchSize ${maxBatchSize}`, options);
    this.key = key;
    this.rows = rows;
    this.maxBatchSize = maxBatchSize;
  }
}

/** The runner returned something other than one result per item it was given: the whole batch fails. */
export class ResultMismatchError extends BatcherError {
  override name = 'ResultMismatchError';
  readonly key: string;
  readonly expected: number;
  /** The length of what came back, or -1 if it was not an array. */
  readonly actual: number;
  constructor(key: string, expected: number, actual: number, options?: BatcherErrorOptions) {
    const got = actual < 0 ? 'a non-array' : `${actual} results`;
    super('IM_BATCH_RESULT_MISMATCH', `runner for "${key}" returned ${got} for ${expected} items`, options);
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}
