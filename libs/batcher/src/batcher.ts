import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from './clock.js';
import { BatcherClosedError, type BatcherError } from './errors.js';
import type { BatchEndEvent, BatchEvent, BatcherEvents } from './events.js';
import { KeyQueue, type QueueHost } from './key-queue.js';
import {
  BatcherOptionsSchema, parseOptions, resolvePolicy,
  type AddOptions, type BatchPolicy, type BatchPolicyOverrides, type BatcherOptions, type Runner,
} from './options.js';
import { snapshot, type BatcherStats, type RejectKind } from './stats.js';

const DEFAULT_KEY = 'default';

/**
 * Dynamic batching for any item type. Callers `add` items one at a time; the batcher groups them per
 * key and hands each batch to `run`, leaving when the batch is full or its oldest item has waited
 * `maxDelayMs`, and gives each caller its own result or error.
 */
export class Batcher<I, R> extends EventEmitter<BatcherEvents> {
  readonly #run: Runner<I, R>;
  readonly #sizeOf: ((item: I) => number) | undefined;
  readonly #coalesceKeyOf: ((item: I) => string | undefined) | undefined;
  readonly #policyFor: ((key: string) => BatchPolicyOverrides | undefined) | undefined;
  readonly #clock: Clock;
  readonly #base: BatchPolicy;
  readonly #queues = new Map<string, KeyQueue<I, R>>();
  readonly #host: QueueHost<I, R>;
  #closed = false;
  #draining = false;
  #drainWaiters: Array<() => void> = [];

  constructor(options: BatcherOptions<I, R>) {
    super();
    const o = parseOptions(BatcherOptionsSchema, options, 'batcher');
    this.#run = o.run as Runner<I, R>;
    this.#sizeOf = o.sizeOf as ((item: I) => number) | undefined;
    this.#coalesceKeyOf = o.coalesceKeyOf as ((item: I) => string | undefined) | undefined;
    this.#policyFor = o.policyFor;
    this.#clock = o.clock ?? systemClock;
    const { maxBatchSize, maxDelayMs, maxQueue, maxInFlightBatches, sendAtOnceBelow, gatherTurn, preferredBatchSizes, deadlineMarginMs } = o;
    this.#base = resolvePolicy(
      { maxBatchSize, maxDelayMs, maxQueue, maxInFlightBatches, sendAtOnceBelow, gatherTurn, preferredBatchSizes, deadlineMarginMs }, {}, DEFAULT_KEY,
    );
    const self = this;
    this.#host = {
      clock: this.#clock,
      run: this.#run,
      get draining() {
        return self.#draining;
      },
      batch: (e: BatchEvent) => {
        if (this.listenerCount('batch') > 0) this.emit('batch', e);
      },
      batchEnd: (e: BatchEndEvent) => {
        if (this.listenerCount('batch-end') > 0) this.emit('batch-end', e);
      },
      reject: (_kind: RejectKind, error: BatcherError) => {
        if (this.listenerCount('reject') > 0) this.emit('reject', { key: (error as { key?: string }).key ?? '', error });
      },
      changed: () => this.#checkDrained(),
    };
  }

  /** True once `close()` was called: every later `add` rejects with `IM_BATCH_CLOSED`. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues one item and resolves with its own result. It never throws: a refused item, a bad
   * `sizeOf` result or bad call options reject the returned promise.
   */
  add(item: I, options?: AddOptions): Promise<R> {
    const key = options?.key ?? DEFAULT_KEY;
    const priority = options?.priority ?? 0;
    const deadline = options?.deadline;
    if (typeof key !== 'string') return Promise.reject(new TypeError('Invalid add option "key": expected a string'));
    if (typeof priority !== 'number' || !Number.isFinite(priority)) {
      return Promise.reject(new TypeError('Invalid add option "priority": expected a finite number'));
    }
    if (deadline !== undefined && (typeof deadline !== 'number' || Number.isNaN(deadline))) {
      return Promise.reject(new TypeError('Invalid add option "deadline": expected a number'));
    }
    let queue: KeyQueue<I, R>;
    let rows = 1;
    let coalesceKey = options?.coalesceKey;
    try {
      queue = this.#queueFor(key);
      if (this.#closed) {
        const error = new BatcherClosedError();
        queue.stats.rejected.closed += 1;
        if (this.listenerCount('reject') > 0) this.emit('reject', { key, error });
        return Promise.reject(error);
      }
      if (this.#sizeOf !== undefined) rows = this.#sizeOf(item);
      if (coalesceKey === undefined && this.#coalesceKeyOf !== undefined) coalesceKey = this.#coalesceKeyOf(item);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!Number.isInteger(rows) || rows < 1) {
      return Promise.reject(new RangeError(`Invalid item size: sizeOf returned ${String(rows)}, expected an integer >= 1`));
    }
    return queue.add(item, rows, priority, deadline, options?.signal, coalesceKey);
  }

  /**
   * Overrides the policy of one key, on top of its current policy (validated as a whole, so a bad
   * value throws RangeError/TypeError and changes nothing). Queued items are re-checked at once.
   */
  configure(key: string, overrides: BatchPolicyOverrides): void {
    const queue = this.#queueFor(key);
    queue.policy = resolvePolicy(queue.policy, overrides, key);
  }

  /** The policy a key runs with now. */
  policy(key: string = DEFAULT_KEY): Readonly<BatchPolicy> {
    const p = this.#queueFor(key).policy;
    return { ...p, preferredBatchSizes: [...p.preferredBatchSizes] };
  }

  /** Keys seen so far. */
  keys(): string[] {
    return [...this.#queues.keys()];
  }

  /** Counters and gauges for one key, or summed over every key when `key` is omitted. */
  stats(key?: string): BatcherStats {
    const queues = key === undefined ? [...this.#queues.values()] : [this.#queues.get(key)].filter((q) => q !== undefined);
    return snapshot(queues.map((q) => ({ stats: q.stats, queueDepth: q.depth, queuedRows: q.queuedRows, inFlight: q.inFlight })));
  }

  /**
   * Sends everything queued at once (reason `'drain'`, still within `maxBatchSize` and
   * `maxInFlightBatches`) and resolves when no item is queued or running. Items added meanwhile are
   * sent at once too, and waited for.
   */
  drain(): Promise<void> {
    if (this.#allIdle()) return Promise.resolve();
    this.#draining = true;
    const done = new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    for (const q of this.#queues.values()) q.pump();
    this.#checkDrained();
    return done;
  }

  /** Refuses new items from now on (`IM_BATCH_CLOSED`), then drains. */
  close(): Promise<void> {
    this.#closed = true;
    return this.drain();
  }

  #queueFor(key: string): KeyQueue<I, R> {
    let q = this.#queues.get(key);
    if (q === undefined) {
      const policy = this.#policyFor === undefined ? this.#base : resolvePolicy(this.#base, this.#policyFor(key), key);
      q = new KeyQueue<I, R>(key, policy, this.#host);
      this.#queues.set(key, q);
    }
    return q;
  }

  #allIdle(): boolean {
    for (const q of this.#queues.values()) if (!q.idle) return false;
    return true;
  }

  #checkDrained(): void {
    if (!this.#draining || !this.#allIdle()) return;
    this.#draining = false;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
