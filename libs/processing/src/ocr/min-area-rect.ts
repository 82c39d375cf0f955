/** A point in image coordinates: `[x, y]`, x to the right, y down. */
export type Point = readonly [number, number];

/** A rotated rectangle: its centre, side lengths along its two axes, and the unit vector of the first axis. */
export interface RotatedRect {
  cx: number;
  cy: number;
  /** Length along `axis`. */
  width: number;
  /** Length along the perpendicular of `axis`. */
  height: number;
  /** Unit vector of the `width` side. */
  axis: Point;
}

const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** The convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame, without repeats. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length <= 2) return sorted;
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return [...lower, ...upper];
}

/**
 * The rectangle of least area holding every point. One of its sides lies along an edge of the convex
 * hull (rotating calipers), so trying each hull edge's direction is exact. Degenerate sets (one point,
 * a line) give a rectangle with a zero side.
 */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) return { cx: 0, cy: 0, width: 0, height: 0, axis: [1, 0] };
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  const n = hull.length;
  for (let i = 0; i < Math.max(1, n - (n === 2 ? 1 : 0)); i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % n]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const ux = len === 0 ? 1 : (b[0] - a[0]) / len;
    const uy = len === 0 ? 0 : (b[1] - a[1]) / len;
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy;
      const v = -p[0] * uy + p[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const cu = (minU + maxU) / 2;
      const cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, width: maxU - minU, height: maxV - minV, axis: [ux, uy] };
    }
  }
  return best!;
}

/**
 * The corners of `rect` in reading order: top-left, top-right, bottom-right, bottom-left (the order
 * PaddleOCR gives its boxes). The rectangle's longer axis is taken as its reading direction, turned to
 * point right.
 */
export function rectCorners(rect: RotatedRect): [Point, Point, Point, Point] {
  let [ux, uy] = rect.axis;
  let w = rect.width;
  let h = rect.height;
  // Text runs along the longer side; a square keeps the axis nearest the x axis.
  if (h > w || (h === w && Math.abs(uy) > Math.abs(ux))) [ux, uy, w, h] = [-uy, ux, h, w];
  if (ux < 0 || (ux === 0 && uy < 0)) [ux, uy] = [-ux, -uy];
  // (vx, vy) points down the page when (ux, uy) points right.
  const vx = -uy;
  const vy = ux;
  const hw = w / 2;
  const hh = h / 2;
  const at = (su: number, sv: number): Point => [rect.cx + su * hw * ux + sv * hh * vx, rect.cy + su * hw * uy + sv * hh * vy];
  return [at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)];
}
