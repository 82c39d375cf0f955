/**
 * The last `capacity` latency samples in a ring buffer. Percentiles sort a copy on demand, so the hot
 * path (one store per release) stays O(1) and memory stays bounded, and the figures describe what the
 * endpoint does now rather than since start-up.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #size = 0;
  #next = 0;

  constructor(capacity: number) {
    this.#samples = new Float64Array(capacity);
  }

  add(latencyMs: number): void {
    this.#samples[this.#next] = latencyMs;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#size < this.#samples.length) this.#size += 1;
  }

  get size(): number {
    return this.#size;
  }

  /** Nearest-rank percentiles (`q` in (0, 1]) of the window; undefined entries when it is empty. */
  percentiles(qs: readonly number[]): (number | undefined)[] {
    if (this.#size === 0) return qs.map(() => undefined);
    const sorted = this.#samples.slice(0, this.#size).sort();
    return qs.map((q) => sorted[Math.min(this.#size - 1, Math.max(0, Math.ceil(q * this.#size) - 1))]);
  }
}
