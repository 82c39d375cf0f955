import { minAreaRect, rectCorners, type Point, type RotatedRect } from './min-area-rect.js';

/** PaddleOCR's DB post-processing parameters (its `det_db_*` defaults). */
export interface DbOptions {
  /** A pixel is text when its probability is above this. Default: 0.3. */
  threshold: number;
  /** A region is kept when its mean probability inside its box is at least this. Default: 0.6. */
  boxThreshold: number;
  /** The box grows by `area × ratio / perimeter` on every side (DB shrinks text when training). Default: 1.5. */
  unclipRatio: number;
  /** Boxes whose shorter side is below this (before growing; this + 2 after) are dropped. Default: 3. */
  minSize: number;
  /** At most this many regions are looked at, largest first. Default: 1000. */
  maxCandidates: number;
}

export const DB_DEFAULTS: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxCandidates: 1000 };

/** A text box found by the detector: corners clockwise from top-left, in the original image's pixels. */
export interface TextBox {
  points: [Point, Point, Point, Point];
  /** Mean text probability inside the box before it was grown. */
  score: number;
}

/** A probability map: `height × width` values, row-major (the detector's output for one image). */
export interface ProbabilityMap {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * The 8-connected regions of pixels above `threshold`, each given by the leftmost and rightmost pixel
 * of each of its rows (the only pixels that can be corners of its convex hull) and its size.
 */
export function textRegions(map: ProbabilityMap, threshold: number): Array<{ extremes: Point[]; pixels: number }> {
  const { data, width, height } = map;
  const label = new Int32Array(width * height).fill(-1);
  const regions: Array<{ extremes: Point[]; pixels: number }> = [];
  const stack: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (label[start] !== -1 || !((data[start] as number) > threshold)) continue;
    const id = regions.length;
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    let pixels = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      pixels++;
      if (!(rowMin.get(y)! <= x)) rowMin.set(y, x);
      if (!(rowMax.get(y)! >= x)) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (label[j] === -1 && (data[j] as number) > threshold) {
            label[j] = id;
            stack.push(j);
          }
        }
      }
    }
    const extremes: Point[] = [];
    for (const [y, x] of rowMin) extremes.push([x, y], [rowMax.get(y)!, y]);
    regions.push({ extremes, pixels });
  }
  return regions;
}

const insideConvex = (quad: readonly Point[], x: number, y: number): boolean => {
  let sign = 0;
  for (let i = 0; i < quad.length; i++) {
    const a = quad[i]!;
    const b = quad[(i + 1) % quad.length]!;
    const c = (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
    if (c === 0) continue;
    const s = c > 0 ? 1 : -1;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
};

/** The mean probability of the pixels inside the quadrilateral (PaddleOCR's "fast" box score). */
export function boxScore(map: ProbabilityMap, quad: readonly Point[]): number {
  const xs = quad.map((p) => p[0]);
  const ys = quad.map((p) => p[1]);
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const x0 = clamp(Math.floor(Math.min(...xs)), map.width - 1);
  const x1 = clamp(Math.ceil(Math.max(...xs)), map.width - 1);
  const y0 = clamp(Math.floor(Math.min(...ys)), map.height - 1);
  const y1 = clamp(Math.ceil(Math.max(...ys)), map.height - 1);
  let sum = 0;
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insideConvex(quad, x, y)) continue;
      sum += map.data[y * map.width + x] as number;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** The rectangle grown by `area × ratio / perimeter` on every side: the offset polygon's bounding rectangle. */
export function unclip(rect: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (rect.width + rect.height);
  const d = perimeter === 0 ? 0 : (rect.width * rect.height * ratio) / perimeter;
  return { ...rect, width: rect.width + 2 * d, height: rect.height + 2 * d };
}

/** Boxes top to bottom; boxes on one line (tops within 10 px) left to right, as PaddleOCR sorts them. */
export function readingOrder<T extends { points: readonly Point[] }>(boxes: readonly T[]): T[] {
  const out = [...boxes].sort((a, b) => a.points[0]![1] - b.points[0]![1] || a.points[0]![0] - b.points[0]![0]);
  for (let i = 0; i < out.length - 1; i++) {
    for (let j = i; j >= 0; j--) {
      const a = out[j]!;
      const b = out[j + 1]!;
      if (Math.abs(b.points[0]![1] - a.points[0]![1]) < 10 && b.points[0]![0] < a.points[0]![0]) {
        out[j] = b;
        out[j + 1] = a;
      } else break;
    }
  }
  return out;
}

/**
 * DB post-processing of one image's probability map into text boxes in the original image's pixels
 * (`sourceWidth × sourceHeight`): threshold, 8-connected regions, minimum-area rectangle of each, box
 * score, unclip, scale back, reading order.
 */
export function dbPostprocess(map: ProbabilityMap, sourceWidth: number, sourceHeight: number, options: Partial<DbOptions> = {}): TextBox[] {
  const o = { ...DB_DEFAULTS, ...options };
  const regions = textRegions(map, o.threshold).sort((a, b) => b.pixels - a.pixels).slice(0, o.maxCandidates);
  const sx = sourceWidth / map.width;
  const sy = sourceHeight / map.height;
  const boxes: TextBox[] = [];
  for (const region of regions) {
    const rect = minAreaRect(region.extremes);
    if (Math.min(rect.width, rect.height) < o.minSize) continue;
    const score = boxScore(map, rectCorners(rect));
    if (score < o.boxThreshold) continue;
    const grown = unclip(rect, o.unclipRatio);
    if (Math.min(grown.width, grown.height) < o.minSize + 2) continue;
    const points = rectCorners(grown).map(([x, y]): Point => [
      Math.min(Math.max(Math.round(x * sx), 0), sourceWidth),
      Math.min(Math.max(Math.round(y * sy), 0), sourceHeight),
    ]) as TextBox['points'];
    boxes.push({ points, score });
  }
  return readingOrder(boxes);
}
