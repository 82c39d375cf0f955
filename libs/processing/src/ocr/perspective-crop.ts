import type { RgbImage } from './image.js';
import type { Point } from './min-area-rect.js';

/** Solves the 8 × 8 system for the homography taking `from[i]` to `to[i]` (Gaussian elimination, partial pivoting). */
export function homography(from: readonly Point[], to: readonly Point[]): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    if (Math.abs(p) < 1e-12) throw new RangeError('the four points are degenerate (three on a line)');
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = a[r]![col]! / p;
      if (f === 0) continue;
      for (let k = col; k < 9; k++) a[r]![k]! -= f * a[col]![k]!;
    }
  }
  return [...a.map((row, i) => row[8]! / row[i]!), 1];
}

/**
 * The quadrilateral `quad` (top-left, top-right, bottom-right, bottom-left) cut out of `image` and
 * straightened into a rectangle as wide as its longer horizontal edge and as tall as its longer
 * vertical one (PaddleOCR's `get_rotate_crop_image`), sampled bilinearly with the border repeated. A
 * crop at least 1.5 times as tall as wide is turned a quarter counter-clockwise: vertical text lies down.
 */
export function perspectiveCrop(image: RgbImage, quad: readonly [Point, Point, Point, Point]): RgbImage {
  const [p0, p1, p2, p3] = quad;
  const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const width = Math.max(1, Math.round(Math.max(dist(p0, p1), dist(p3, p2))));
  const height = Math.max(1, Math.round(Math.max(dist(p0, p3), dist(p1, p2))));
  const h = homography([[0, 0], [width, 0], [width, height], [0, height]], quad);
  const out = new Uint8Array(width * height * 3);
  const { data, width: W, height: H } = image;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h[6]! * x + h[7]! * y + 1;
      const sx = Math.min(Math.max((h[0]! * x + h[1]! * y + h[2]!) / w, 0), W - 1);
      const sy = Math.min(Math.max((h[3]! * x + h[4]! * y + h[5]!) / w, 0), H - 1);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, W - 1);
      const y1 = Math.min(y0 + 1, H - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const a = data[(y0 * W + x0) * 3 + c]!;
        const b = data[(y0 * W + x1) * 3 + c]!;
        const d = data[(y1 * W + x0) * 3 + c]!;
        const e = data[(y1 * W + x1) * 3 + c]!;
        out[(y * width + x) * 3 + c] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
  const crop = { width, height, data: out };
  return height / width >= 1.5 ? rotateCounterClockwise(crop) : crop;
}

/** The image turned a quarter counter-clockwise (numpy's `rot90`). */
export function rotateCounterClockwise(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // (x, y) goes to (y, width - 1 - x) in a height-wide image.
      const to = ((width - 1 - x) * height + y) * 3;
      const from = (y * width + x) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { width: height, height: width, data: out };
}
