/**
 * Batching rows whose last axis differs (text lines of different widths, sentences of different
 * lengths): rows are grouped by similar size so little padding is needed, then padded to the widest
 * row of their group; each row's answer is cut back to its own size by the caller, who knows where
 * its own part of an output ends.
 */

/** One row: `outer × width` values, row-major (e.g. CHW with `outer = C × H`). */
export interface WideRow {
  data: Float32Array;
  width: number;
}

export interface PaddedBatch {
  /** `rows × outer × width` values. */
  data: Float32Array;
  /** The batch's width: the widest row's, or `minWidth` when wider. */
  width: number;
  /** Each row's own width, in order. */
  widths: number[];
}

/**
 * The rows' indices in groups of at most `maxBatch`, each group holding rows of neighbouring sizes
 * (sorted by size, then cut in order), so a group's padding is bounded by its own spread. PaddleOCR
 * groups text lines by aspect ratio this way.
 */
export function groupBySize(sizes: readonly number[], maxBatch: number): number[][] {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be an integer ≥ 1, got ${maxBatch}`);
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a]! - sizes[b]! || a - b);
  const groups: number[][] = [];
  for (let i = 0; i < order.length; i += maxBatch) groups.push(order.slice(i, i + maxBatch));
  return groups;
}

/**
 * Rows padded with `fill` along their last axis to the widest (at least `minWidth`) and stacked into
 * one batch. Every row must have `outer × width` values.
 */
export function padRows(rows: readonly WideRow[], outer: number, minWidth = 1, fill = 0): PaddedBatch {
  let width = minWidth;
  for (const r of rows) {
    if (r.data.length !== outer * r.width) throw new RangeError(`a row of width ${r.width} has ${r.data.length} values, needs ${outer * r.width}`);
    if (r.width > width) width = r.width;
  }
  const data = new Float32Array(rows.length * outer * width);
  if (fill !== 0) data.fill(fill);
  rows.forEach((r, b) => {
    for (let o = 0; o < outer; o++) data.set(r.data.subarray(o * r.width, (o + 1) * r.width), (b * outer + o) * width);
  });
  return { data, width, widths: rows.map((r) => r.width) };
}

/** Row `index` of a padded `[rows, outer, width]` batch, cut back to `ownWidth`. */
export function unpadRow(batch: Float32Array, index: number, outer: number, width: number, ownWidth: number): Float32Array {
  const out = new Float32Array(outer * ownWidth);
  for (let o = 0; o < outer; o++) {
    const from = (index * outer + o) * width;
    out.set(batch.subarray(from, from + ownWidth), o * ownWidth);
  }
  return out;
}

/** The share of a padded batch that is padding: 1 − Σ own widths ÷ (rows × padded width). */
export function paddingWaste(widths: readonly number[], paddedWidth: number): number {
  if (widths.length === 0 || paddedWidth <= 0) return 0;
  let own = 0;
  for (const w of widths) own += w;
  return 1 - own / (widths.length * paddedWidth);
}
