import type { FlushReason } from './options.js';

const WAIT_WINDOW = 512;
const REASONS: readonly FlushReason[] = ['full', 'preferred', 'delay', 'deadline', 'drain', 'idle'];
const REJECT_CODES = ['queueFull', 'deadline', 'aborted', 'closed', 'tooLarge'] as const;
export type RejectKind = (typeof REJECT_CODES)[number];

/** A point-in-time copy of one key's counters (or of all keys together). */
export interface BatcherStats {
  /** Batches sent to the runner. */
  batches: number;
  /** Callers whose item was sent to the runner. */
  items: number;
  /** Rows sent to the runner (coalesced duplicates counted once). */
  rows: number;
  /** Callers served by another caller's identical item. */
  coalesced: number;
  /** Callers that got a per-item error, or whose batch failed. */
  failed: number;
  /** Callers refused or removed before their item was sent, by cause. */
  rejected: Record<RejectKind, number>;
  /** Batches by the rule that closed them. */
  reasons: Record<FlushReason, number>;
  /** Batches by size in rows: `{ [rows]: count }`. */
  batchSizes: Record<number, number>;
  /** Time callers spent queued, in clock ms: over all sent callers, and percentiles of the last 512. */
  queueWait: { count: number; sumMs: number; maxMs: number; p50Ms: number; p99Ms: number };
  /** Callers queued now. */
  queueDepth: number;
  /** Distinct rows queued now. */
  queuedRows: number;
  /** Batches the runner is working on now. */
  inFlightBatches: number;
}

/** The counters of one key. Cheap to update per item; snapshots are made on demand. */
export class KeyStats {
  batches = 0;
  items = 0;
  rows = 0;
  coalesced = 0;
  failed = 0;
  readonly rejected: Record<RejectKind, number> = { queueFull: 0, deadline: 0, aborted: 0, closed: 0, tooLarge: 0 };
  readonly reasons: Record<FlushReason, number> = { full: 0, preferred: 0, delay: 0, deadline: 0, drain: 0, idle: 0 };
  readonly batchSizes = new Map<number, number>();
  waitCount = 0;
  waitSum = 0;
  waitMax = 0;
  readonly #window = new Float64Array(WAIT_WINDOW);
  #windowNext = 0;

  recordBatch(reason: FlushReason, rows: number, callers: number, distinct: number): void {
    this.batches += 1;
    this.items += callers;
    this.rows += rows;
    this.coalesced += callers - distinct;
    this.reasons[reason] += 1;
    this.batchSizes.set(rows, (this.batchSizes.get(rows) ?? 0) + 1);
  }

  recordWait(ms: number): void {
    this.waitCount += 1;
    this.waitSum += ms;
    if (ms > this.waitMax) this.waitMax = ms;
    this.#window[this.#windowNext % WAIT_WINDOW] = ms;
    this.#windowNext += 1;
  }

  /** The recent waits, oldest order not kept. */
  recentWaits(): Float64Array {
    return this.#window.subarray(0, Math.min(this.#windowNext, WAIT_WINDOW));
  }
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Sums the counters of several keys into one snapshot (gauges are summed too). */
export function snapshot(parts: ReadonlyArray<{ stats: KeyStats; queueDepth: number; queuedRows: number; inFlight: number }>): BatcherStats {
  const out: BatcherStats = {
    batches: 0, items: 0, rows: 0, coalesced: 0, failed: 0,
    rejected: { queueFull: 0, deadline: 0, aborted: 0, closed: 0, tooLarge: 0 },
    reasons: { full: 0, preferred: 0, delay: 0, deadline: 0, drain: 0, idle: 0 },
    batchSizes: {},
    queueWait: { count: 0, sumMs: 0, maxMs: 0, p50Ms: 0, p99Ms: 0 },
    queueDepth: 0, queuedRows: 0, inFlightBatches: 0,
  };
  const waits: number[] = [];
  for (const { stats: s, queueDepth, queuedRows, inFlight } of parts) {
    out.batches += s.batches;
    out.items += s.items;
    out.rows += s.rows;
    out.coalesced += s.coalesced;
    out.failed += s.failed;
    for (const k of REJECT_CODES) out.rejected[k] += s.rejected[k];
    for (const r of REASONS) out.reasons[r] += s.reasons[r];
    for (const [rows, n] of s.batchSizes) out.batchSizes[rows] = (out.batchSizes[rows] ?? 0) + n;
    out.queueWait.count += s.waitCount;
    out.queueWait.sumMs += s.waitSum;
    out.queueWait.maxMs = Math.max(out.queueWait.maxMs, s.waitMax);
    for (const w of s.recentWaits()) waits.push(w);
    out.queueDepth += queueDepth;
    out.queuedRows += queuedRows;
    out.inFlightBatches += inFlight;
  }
  const sorted = Float64Array.from(waits).sort();
  out.queueWait.p50Ms = percentile(sorted, 0.5);
  out.queueWait.p99Ms = percentile(sorted, 0.99);
  return out;
}
