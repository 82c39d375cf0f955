import type { AbortLike } from '@infermesh/foundation';
import { InFlightBatch, type Answer } from './batch.js';
import type { Clock } from './clock.js';
import { BatcherAbortedError, BatcherDeadlineError, ItemTooLargeError, QueueFullError, type BatcherError } from './errors.js';
import type { BatchEndEvent, BatchEvent } from './events.js';
import type { BatchPolicy, FlushReason, Runner } from './options.js';
import { PriorityQueue } from './priority-queue.js';
import { KeyStats, type RejectKind } from './stats.js';
import { createWaiter, settle, type CoalesceGroup, type Waiter, type Watch } from './waiter.js';

/** What a key queue needs from the batcher that owns it. */
export interface QueueHost<I, R> {
  readonly clock: Clock;
  readonly run: Runner<I, R>;
  /** True while `drain()` or `close()` is flushing. */
  readonly draining: boolean;
  batch(event: BatchEvent): void;
  batchEnd(event: BatchEndEvent): void;
  reject(kind: RejectKind, error: BatcherError): void;
  /** Something left the queue or finished: a pending drain may be done. */
  changed(): void;
}

/**
 * The queue of one key and its flush rules: priority order, distinct-row accounting (coalesced
 * duplicates count once), the delay timer on the oldest caller, deadlines, and the in-flight limit.
 */
export class KeyQueue<I, R> {
  readonly key: string;
  readonly stats = new KeyStats();
  #policy: BatchPolicy;
  readonly #host: QueueHost<I, R>;
  readonly #queue = new PriorityQueue<Waiter<I, R>>();
  readonly #groups = new Map<string, CoalesceGroup<I, R>>();
  readonly #urgent = new Set<Waiter<I, R>>();
  #rows = 0;
  #inFlight = 0;
  #timer: unknown = undefined;
  #timerDue = 0;
  /** `gatherTurn`: an end-of-turn flush is scheduled; `#turnEnded` while it runs, so `'idle'` may cut. */
  #turnPending = false;
  #turnEnded = false;
  /**
   * `gatherTurn`: the last gathered turn held one caller, so a caller alone now leaves inside its `add`
   * instead of waiting for company the traffic does not bring. Cleared when a second caller comes in the
   * turn of a lone send (`#loneSentThisTurn`, reset by one `setImmediate` that delays nothing).
   */
  #lone = false;
  #loneSentThisTurn = false;
  /** Callers ever added; and of them, those gone from the queue when the pending end-of-turn flush was scheduled. */
  #adds = 0;
  #addsBeforeTurn = 0;
  /** Queued rows at which a batch leaves at once, and why: read on every add, so worked out per policy. */
  #eagerRows: number;
  #eagerReason: 'preferred' | 'full';

  constructor(key: string, policy: BatchPolicy, host: QueueHost<I, R>) {
    this.key = key;
    this.#policy = policy;
    this.#host = host;
    [this.#eagerRows, this.#eagerReason] = eagerCut(policy);
  }

  get policy(): BatchPolicy {
    return this.#policy;
  }

  set policy(policy: BatchPolicy) {
    this.#policy = policy;
    [this.#eagerRows, this.#eagerReason] = eagerCut(policy);
    this.#clearTimer();
    this.pump();
  }

  get depth(): number {
    return this.#queue.size;
  }

  get queuedRows(): number {
    return this.#rows;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get idle(): boolean {
    return this.#queue.size === 0 && this.#inFlight === 0;
  }

  /** Queues one caller (rows already computed and checked by the batcher). Positional: this is the hot path. */
  add(
    item: I, rows: number, priority: number, deadline: number | undefined, signal: AbortLike | undefined,
    coalesceKey: string | undefined,
  ): Promise<R> {
    const clock = this.#host.clock;
    const now = clock.now();
    const policy = this.#policy;
    if (rows > policy.maxBatchSize) return this.#refuse('tooLarge', new ItemTooLargeError(this.key, rows, policy.maxBatchSize));
    if (signal?.aborted === true) return this.#refuse('aborted', new BatcherAbortedError(this.key, true, { cause: signal.reason }));
    if (deadline !== undefined && deadline <= now) return this.#refuse('deadline', new BatcherDeadlineError(this.key, deadline, true));
    if (this.#queue.size >= policy.maxQueue) return this.#refuse('queueFull', new QueueFullError(this.key, policy.maxQueue));

    const w = createWaiter<I, R>(item, rows);
    if (coalesceKey === undefined) this.#rows += rows;
    else {
      let group = this.#groups.get(coalesceKey);
      if (group === undefined) {
        group = { key: coalesceKey, rows: rows, members: new Set() };
        this.#groups.set(coalesceKey, group);
        this.#rows += rows;
      }
      group.members.add(w);
      w.group = group;
    }
    this.#queue.push(w, priority, now);
    this.#adds++;
    if (signal !== undefined || deadline !== undefined) this.#watch(w, deadline, signal, now);
    this.pump(now);
    return w.promise;
  }

  /** Sends every batch the flush rules allow now, then re-arms the delay timer. */
  pump(now = this.#host.clock.now()): void {
    const max = this.#policy.maxInFlightBatches;
    while (this.#inFlight < max && this.#queue.size > 0) {
      const reason = this.#reasonToFlush(now);
      if (reason === undefined) break;
      this.#dispatch(reason, now);
    }
    this.#armDelayTimer(now);
  }

  #reasonToFlush(now: number): FlushReason | undefined {
    if (this.#host.draining) return 'drain';
    if (this.#rows >= this.#eagerRows) return this.#eagerReason;
    if (this.#urgent.size > 0) return 'deadline';
    // Something downstream is idle: waiting for more items would only add latency. With `gatherTurn`,
    // waiting for the rest of this event-loop turn adds none (no timer, no I/O wait) and lets callers
    // that arrived together, read from the same poll of the sockets, leave as one batch.
    if (this.#inFlight < this.#policy.sendAtOnceBelow) {
      if (!this.#policy.gatherTurn || this.#turnEnded) return 'idle';
      if (this.#lone && !this.#loneSentThisTurn && this.#queue.size === 1) {
        this.#markLoneSend();
        return 'idle';
      }
      // A second caller in this turn: company comes after all, so turns are gathered again.
      this.#lone = false;
      this.#awaitTurnEnd();
      return undefined;
    }
    const oldest = this.#queue.oldestTime();
    if (oldest !== undefined && now - oldest >= this.#policy.maxDelayMs) return 'delay';
    return undefined;
  }

  #awaitTurnEnd(): void {
    if (this.#turnPending) return;
    this.#turnPending = true;
    // The turn's callers: those queued now and those added until it ends (some may leave early, in a full batch).
    this.#addsBeforeTurn = this.#adds - this.#queue.size;
    setImmediate(() => {
      this.#turnPending = false;
      this.#turnEnded = true;
      // A turn that gathered one caller says the traffic is sparse: the next lone caller goes at once.
      this.#lone = this.#adds - this.#addsBeforeTurn <= 1;
      try {
        this.pump();
      } finally {
        this.#turnEnded = false;
      }
    });
  }

  /** Notes a lone caller sent in this turn, until the turn ends, so that a second one in it gathers. */
  #markLoneSend(): void {
    this.#loneSentThisTurn = true;
    setImmediate(() => {
      this.#loneSentThisTurn = false;
    });
  }

  /** The most rows a batch closed for `reason` may hold. */
  #capFor(reason: FlushReason): number {
    const { maxBatchSize, preferredBatchSizes } = this.#policy;
    if (reason === 'idle' && this.#turnEnded) {
      // A turn's callers are spread over the idle slots, so every idle endpoint gets a share.
      const idleSlots = Math.max(1, this.#policy.sendAtOnceBelow - this.#inFlight);
      return Math.min(maxBatchSize, Math.ceil(this.#rows / idleSlots));
    }
    if (reason === 'full' || reason === 'deadline' || preferredBatchSizes.length === 0) return maxBatchSize;
    const limit = Math.min(this.#rows, maxBatchSize);
    let cap: number | undefined;
    for (const p of preferredBatchSizes) if (p <= limit) cap = p;
    return cap ?? maxBatchSize;
  }

  #dispatch(reason: FlushReason, now: number): void {
    const maxBatchSize = this.#policy.maxBatchSize;
    const cap = this.#capFor(reason);
    // Every item has at least one row, so a batch holds at most `cap` items: sized once, trimmed at the end.
    const bound = Math.min(this.#queue.size, cap);
    const items = new Array<I>(bound);
    const answers = new Array<Answer<I, R>>(bound);
    let n = 0;
    let rows = 0;
    let callers = 0;
    let waitMs = 0;
    let deadline: number | undefined;
    const leave = (m: Waiter<I, R>): void => {
      const at = this.#queue.timeOf(m);
      this.#unqueue(m);
      const wait = now > at ? now - at : 0;
      this.stats.recordWait(wait);
      if (wait > waitMs) waitMs = wait;
      const d = m.watch?.deadline;
      if (d !== undefined && (deadline === undefined || d < deadline)) deadline = d;
    };
    const take = (w: Waiter<I, R>): void => {
      const group = w.group;
      items[n] = w.item;
      if (group === undefined) {
        rows += w.rows;
        leave(w);
        callers += 1;
        answers[n++] = w;
        return;
      }
      const members = [...group.members];
      rows += group.rows;
      for (const m of members) leave(m);
      callers += members.length;
      answers[n++] = members;
    };
    const sizeOf = (w: Waiter<I, R>): number => (w.group === undefined ? w.rows : w.group.rows);
    if (reason === 'deadline') {
      const urgent = [...this.#urgent].sort((a, b) => (a.watch?.deadline ?? 0) - (b.watch?.deadline ?? 0));
      for (const w of urgent) if (w.state === 'queued' && w.level !== undefined && rows + sizeOf(w) <= cap) take(w);
    }
    for (let w = this.#queue.first(); w !== undefined; w = this.#queue.first()) {
      const size = sizeOf(w);
      if (rows + size > cap) {
        if (n > 0) break;
        // A preferred-size cap below one item's rows still sends that item; only maxBatchSize is a hard
        // bound, and an item can exceed it only if configure() lowered it after the item was queued.
        if (size > maxBatchSize) {
          this.#drop(w, 'tooLarge', new ItemTooLargeError(this.key, size, maxBatchSize));
          continue;
        }
      }
      take(w);
    }
    if (n === 0) return;
    if (n < bound) items.length = answers.length = n;

    this.#inFlight += 1;
    const size = n;
    this.stats.recordBatch(reason, rows, callers, size);
    this.#host.batch({ key: this.key, size, callers, rows, reason, waitMs });
    const clock = this.#host.clock;
    const batch = new InFlightBatch<I, R>(this.key, items, answers, callers, clock, this.stats);
    const started = clock.now();
    void batch.run(this.#host.run, { reason, rows, callers, deadline }).then((outcome) => {
      this.#inFlight -= 1;
      this.#host.batchEnd({ key: this.key, size, rows, durationMs: clock.now() - started, ok: outcome.ok });
      this.pump();
      this.#host.changed();
    });
  }

  #armDelayTimer(now: number): void {
    // A pending end-of-turn flush comes first and re-arms what is still needed.
    const oldest = this.#inFlight < this.#policy.maxInFlightBatches && !this.#turnPending ? this.#queue.oldestTime() : undefined;
    if (oldest === undefined) {
      this.#clearTimer();
      return;
    }
    const due = oldest + this.#policy.maxDelayMs;
    if (this.#timer !== undefined && this.#timerDue === due) return;
    this.#clearTimer();
    this.#timerDue = due;
    this.#timer = this.#host.clock.setTimeout(() => {
      this.#timer = undefined;
      // A real timer may fire a hair before `due` by the wall clock; it was armed for `due`, so it is due.
      this.pump(Math.max(this.#host.clock.now(), due));
    }, due - now);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Registers a caller who can give up: its abort listener and its deadline timers. */
  #watch(w: Waiter<I, R>, deadline: number | undefined, signal: AbortLike | undefined, now: number): void {
    const watch: Watch<I, R> = { deadline, signal, timer: undefined, urgent: false, onAbort: undefined, batch: undefined };
    w.watch = watch;
    if (signal !== undefined) {
      watch.onAbort = () => this.#giveUp(w, watch, 'aborted');
      signal.addEventListener('abort', watch.onAbort, { once: true });
    }
    if (deadline !== undefined) this.#armDeadline(w, watch, deadline, now);
  }

  /** Margin timer first (the item becomes urgent and leaves in the next batch), then the expiry timer. */
  #armDeadline(w: Waiter<I, R>, watch: Watch<I, R>, deadline: number, now: number): void {
    const clock = this.#host.clock;
    const margin = this.#policy.deadlineMarginMs;
    if (margin > 0) {
      const at = deadline - margin;
      if (at <= now) {
        watch.urgent = true;
        this.#urgent.add(w);
      } else {
        watch.timer = clock.setTimeout(() => {
          watch.timer = undefined;
          if (w.state === 'settled') return;
          this.#armExpiry(w, watch, deadline, at);
          if (w.state !== 'queued') return;
          watch.urgent = true;
          this.#urgent.add(w);
          this.pump();
        }, at - now);
        return;
      }
    }
    this.#armExpiry(w, watch, deadline, now);
  }

  #armExpiry(w: Waiter<I, R>, watch: Watch<I, R>, deadline: number, now: number): void {
    watch.timer = this.#host.clock.setTimeout(() => {
      watch.timer = undefined;
      this.#giveUp(w, watch, 'deadline');
    }, deadline - now);
  }

  /** The caller aborted or ran out of time: leave the queue, or leave the batch if already sent. */
  #giveUp(w: Waiter<I, R>, watch: Watch<I, R>, kind: 'deadline' | 'aborted'): void {
    if (w.state === 'settled') return;
    const queued = w.state === 'queued';
    const error = kind === 'deadline'
      ? new BatcherDeadlineError(this.key, watch.deadline as number, queued)
      : new BatcherAbortedError(this.key, queued, { cause: watch.signal?.reason });
    if (queued) {
      this.#drop(w, kind, error);
      this.pump();
      this.#host.changed();
    } else {
      watch.batch?.abandon(w, error);
    }
  }

  #drop(w: Waiter<I, R>, kind: RejectKind, error: BatcherError): void {
    this.#unqueue(w);
    settle(w, this.#host.clock, false, error);
    this.stats.rejected[kind] += 1;
    this.#host.reject(kind, error);
  }

  #unqueue(w: Waiter<I, R>): void {
    this.#queue.remove(w);
    if (w.watch?.urgent === true) this.#urgent.delete(w);
    const group = w.group;
    if (group === undefined) {
      this.#rows -= w.rows;
      return;
    }
    group.members.delete(w);
    w.group = undefined;
    if (group.members.size === 0) {
      this.#groups.delete(group.key);
      this.#rows -= group.rows;
    }
  }

  #refuse(kind: RejectKind, error: BatcherError): Promise<R> {
    this.stats.rejected[kind] += 1;
    this.#host.reject(kind, error);
    return Promise.reject(error);
  }
}

/**
 * Rules 2 and 3 of the flush rules as one threshold: with a largest preferred size below maxBatchSize,
 * reaching it sends (`'preferred'`), and any Q ≥ maxBatchSize reaches it too; otherwise Q ≥ maxBatchSize
 * sends (`'full'`).
 */
function eagerCut(policy: BatchPolicy): [number, 'preferred' | 'full'] {
  const { maxBatchSize, preferredBatchSizes } = policy;
  const largest = preferredBatchSizes[preferredBatchSizes.length - 1];
  return largest !== undefined && largest < maxBatchSize ? [largest, 'preferred'] : [maxBatchSize, 'full'];
}
