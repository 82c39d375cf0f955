import type { BatcherError } from './errors.js';
import type { FlushReason } from './options.js';

/** A batch left its queue and was handed to the runner. */
export interface BatchEvent {
  readonly key: string;
  /** Items the runner got (coalesced duplicates counted once). */
  readonly size: number;
  /** Callers the batch answers. */
  readonly callers: number;
  readonly rows: number;
  readonly reason: FlushReason;
  /** How long its oldest caller waited in the queue, in clock ms. */
  readonly waitMs: number;
}

/** A batch's runner finished (or failed as a whole) and its callers are settled. */
export interface BatchEndEvent {
  readonly key: string;
  readonly size: number;
  readonly rows: number;
  readonly durationMs: number;
  /** False when the whole batch failed: the runner threw or returned the wrong number of results. */
  readonly ok: boolean;
}

/** A caller was refused, or removed from its queue, before its item reached the runner. */
export interface RejectEvent {
  readonly key: string;
  readonly error: BatcherError;
}

export interface BatcherEvents {
  batch: [BatchEvent];
  'batch-end': [BatchEndEvent];
  reject: [RejectEvent];
}
