/**
 * A fixed log-scale latency histogram for the dashboard: 4 buckets per doubling from 10 µs to about
 * 168 s (96 buckets of 4 bytes), so a quantile read from it is within ±9% of the true value and a
 * second of traffic costs 384 bytes however many requests it saw. Values outside the range clamp.
 */
export const HISTOGRAM_MIN_MS = 0.01;
const PER_DOUBLING = 4;
export const HISTOGRAM_BUCKETS = 96;

export function bucketOf(ms: number): number {
  if (!(ms > HISTOGRAM_MIN_MS)) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log2(ms / HISTOGRAM_MIN_MS) * PER_DOUBLING));
}

/** The geometric middle of a bucket: the value reported for a quantile that falls in it. */
export function bucketValue(index: number): number {
  return HISTOGRAM_MIN_MS * 2 ** ((index + 0.5) / PER_DOUBLING);
}

export const newHistogram = (): Uint32Array => new Uint32Array(HISTOGRAM_BUCKETS);

export function addTo(target: Uint32Array, source: Uint32Array): void {
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) target[i]! += source[i]!;
}

/** The `q` quantile (0..1), ms, rounded to 3 decimals; `null` for an empty histogram. */
export function quantile(h: Uint32Array, q: number): number | null {
  let total = 0;
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) total += h[i]!;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
    seen += h[i]!;
    if (seen >= rank) return Math.round(bucketValue(i) * 1000) / 1000;
  }
  return null;
}
