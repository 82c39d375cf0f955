/** Latency percentiles of one load step, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** The slowest answer. */
  max: number;
  count: number;
}

/**
 * Keeps every sample (a 5–10 s step is at most a few hundred thousand numbers) so percentiles are
 * exact and sub-millisecond: autocannon's own histogram rounds to whole milliseconds, which makes a
 * 0.4 ms floor read as 0 and every ratio to it meaningless.
 */
export class LatencyRecorder {
  #samples = new Float64Array(1024);
  #count = 0;

  record(ms: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = ms;
  }

  get count(): number {
    return this.#count;
  }

  summary(): LatencySummary {
    const sorted = this.#samples.slice(0, this.#count).sort();
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean: sorted.length ? sum / sorted.length : Number.NaN,
      max: percentile(sorted, 100),
      count: sorted.length,
    };
  }
}

/** Nearest-rank percentile of ascending samples; NaN when there are none. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}
