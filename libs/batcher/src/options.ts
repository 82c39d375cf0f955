import { MAX_TIMER_MS, fn, parseOptions, type AbortLike } from '@infermesh/foundation';
import { z } from 'zod/v4';
import type { Clock } from './clock.js';

/** Why a batch left its queue. */
export type FlushReason = 'full' | 'preferred' | 'delay' | 'deadline' | 'drain' | 'idle';

/** What a runner may put at each index: a value, an Error, or an explicit `{ ok, value | error }`. */
export type BatchResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Facts about one batch, handed to the runner next to its items. */
export interface BatchInfo {
  readonly reason: FlushReason;
  /** Sum of `sizeOf` over the items (coalesced duplicates counted once). */
  readonly rows: number;
  /** Number of callers waiting on this batch (at least `items.length`, more when items were coalesced). */
  readonly callers: number;
  /** The earliest deadline among the callers, if any had one. */
  readonly deadline: number | undefined;
}

/**
 * A batch's cancellation as its runner sees it: aborted only when every caller of the batch has given
 * up (aborted or past its deadline). Read it like an AbortSignal (`aborted`, `reason`, an `'abort'`
 * listener) or hand it to what takes one of infermesh's `AbortLike`s (a transport call, a balancer's
 * acquire); `signal` is a real AbortSignal, made on first read, for APIs that need one (`fetch`, …).
 * It is not an AbortSignal itself: Node 20 takes about 5 µs to make one, per batch, and most are never read.
 */
export interface BatchSignal extends AbortLike {
  readonly signal: AbortSignal;
}

/**
 * Computes one batch. It returns one entry per item, in order. An entry that is an `Error` or
 * `{ ok: false, error }` fails only that item; throwing (or rejecting) fails the whole batch.
 */
export type Runner<I, R> = (
  items: I[],
  key: string,
  signal: BatchSignal,
  info: BatchInfo,
) => ReadonlyArray<R | BatchResult<R> | Error> | PromiseLike<ReadonlyArray<R | BatchResult<R> | Error>>;

const ClockSchema = z.custom<Clock>(
  (v) =>
    typeof v === 'object' && v !== null &&
    typeof (v as Clock).now === 'function' && typeof (v as Clock).setTimeout === 'function' &&
    typeof (v as Clock).clearTimeout === 'function',
  'expected { now, setTimeout, clearTimeout }',
);

/** The per-key knobs, without defaults: what `configure(key, …)` and `policyFor(key)` accept. */
const policyFields = {
  maxBatchSize: z.int().min(1).max(1_000_000),
  maxDelayMs: z.number().min(0).max(MAX_TIMER_MS),
  maxQueue: z.int().min(1),
  maxInFlightBatches: z.int().min(1),
  sendAtOnceBelow: z.int().min(0),
  gatherTurn: z.boolean(),
  preferredBatchSizes: z.array(z.int().min(1)),
  deadlineMarginMs: z.number().min(0).max(MAX_TIMER_MS),
};

export const DEFAULT_POLICY = {
  maxBatchSize: 64,
  maxDelayMs: 5,
  maxQueue: 4096,
  maxInFlightBatches: 1,
  sendAtOnceBelow: 0,
  gatherTurn: false,
  preferredBatchSizes: [] as number[],
  deadlineMarginMs: 0,
};

function checkPreferred(o: { maxBatchSize: number; preferredBatchSizes: number[] }, ctx: z.RefinementCtx): void {
  o.preferredBatchSizes.forEach((p, i) => {
    if (p > o.maxBatchSize) {
      ctx.addIssue({ code: 'custom', path: ['preferredBatchSizes', i], message: 'must be <= maxBatchSize', params: { range: true } });
    }
  });
}

/** A complete per-key policy; the refinement needs both fields, so it runs on the merged result. */
const policyWithDefaults = {
  maxBatchSize: policyFields.maxBatchSize.default(DEFAULT_POLICY.maxBatchSize),
  maxDelayMs: policyFields.maxDelayMs.default(DEFAULT_POLICY.maxDelayMs),
  maxQueue: policyFields.maxQueue.default(DEFAULT_POLICY.maxQueue),
  maxInFlightBatches: policyFields.maxInFlightBatches.default(DEFAULT_POLICY.maxInFlightBatches),
  sendAtOnceBelow: policyFields.sendAtOnceBelow.default(DEFAULT_POLICY.sendAtOnceBelow),
  gatherTurn: policyFields.gatherTurn.default(DEFAULT_POLICY.gatherTurn),
  preferredBatchSizes: policyFields.preferredBatchSizes.default(() => [...DEFAULT_POLICY.preferredBatchSizes]),
  deadlineMarginMs: policyFields.deadlineMarginMs.default(DEFAULT_POLICY.deadlineMarginMs),
};
export const BatchPolicySchema = z.strictObject(policyWithDefaults).superRefine(checkPreferred);

/** A partial policy: the overrides for one key. */
export const BatchPolicyOverridesSchema = z.strictObject({
  maxBatchSize: policyFields.maxBatchSize.optional(),
  maxDelayMs: policyFields.maxDelayMs.optional(),
  maxQueue: policyFields.maxQueue.optional(),
  maxInFlightBatches: policyFields.maxInFlightBatches.optional(),
  sendAtOnceBelow: policyFields.sendAtOnceBelow.optional(),
  gatherTurn: policyFields.gatherTurn.optional(),
  preferredBatchSizes: policyFields.preferredBatchSizes.optional(),
  deadlineMarginMs: policyFields.deadlineMarginMs.optional(),
});

export const BatcherOptionsSchema = z
  .strictObject({
    run: fn<Runner<unknown, unknown>>(),
    /** Rows an item counts for; a positive integer. Default: every item is one row. */
    sizeOf: fn<(item: unknown) => number>().optional(),
    /** Items of one key with the same coalesce key are computed once per batch. */
    coalesceKeyOf: fn<(item: unknown) => string | undefined>().optional(),
    /** Per-key overrides, asked once, the first time a key is seen. */
    policyFor: fn<(key: string) => BatchPolicyOverrides | undefined>().optional(),
    clock: ClockSchema.optional(),
    ...policyWithDefaults,
  })
  .superRefine(checkPreferred);

export type BatchPolicy = z.output<typeof BatchPolicySchema>;
export type BatchPolicyOverrides = z.input<typeof BatchPolicyOverridesSchema>;
type RawOptions = z.input<typeof BatcherOptionsSchema>;

/** The options of `new Batcher<I, R>(…)`: the raw schema input with the functions typed by I and R. */
export type BatcherOptions<I, R> = Omit<RawOptions, 'run' | 'sizeOf' | 'coalesceKeyOf'> & {
  run: Runner<I, R>;
  sizeOf?: (item: I) => number;
  coalesceKeyOf?: (item: I) => string | undefined;
};

/** Per-call options of `add`. */
export interface AddOptions {
  /** The queue to join. Default: `'default'`. */
  key?: string;
  /** Higher leaves first; FIFO within one level. Default: 0. */
  priority?: number;
  /** Absolute time, in the clock's unit and origin (epoch ms with the default clock). */
  deadline?: number;
  /** Aborting it gives up: an AbortSignal, or anything read like one (`AbortLike`). */
  signal?: AbortLike;
  /** Overrides `coalesceKeyOf(item)` for this item. */
  coalesceKey?: string;
}


/** Merges overrides over a base policy and validates the result as a whole. */
export function resolvePolicy(base: BatchPolicy, overrides: unknown, key: string): BatchPolicy {
  const what = `batcher policy for "${key}"`;
  const partial = parseOptions(BatchPolicyOverridesSchema, overrides ?? {}, what);
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) merged[k] = v;
  const policy = parseOptions(BatchPolicySchema, merged, what);
  policy.preferredBatchSizes = [...new Set(policy.preferredBatchSizes)].sort((a, b) => a - b);
  return policy;
}

// Re-exported for this library's own modules; the one implementation lives in @infermesh/foundation.
export { parseOptions };
