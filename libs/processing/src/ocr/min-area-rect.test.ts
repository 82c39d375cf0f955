import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convexHull, minAreaRect, rectCorners, type Point } from './min-area-rect.js';

describe('minAreaRect', () => {
  it('finds the axis-aligned box of a grid of points', () => {
    const pts: Point[] = [];
    for (let x = 10; x <= 50; x++) for (let y = 20; y <= 30; y++) pts.push([x, y]);
    const r = minAreaRect(pts);
    expect(r.width * r.height).toBeCloseTo(400, 6);
    expect([r.cx, r.cy]).toEqual([30, 25]);
    expect(rectCorners(r).map((p) => p.map((v) => Math.round(v)))).toEqual([[10, 20], [50, 20], [50, 30], [10, 30]]);
  });

  it('finds a rectangle rotated by 30 degrees exactly, corners in reading order', () => {
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    // A 40 × 10 rectangle centred at (100, 80), its long side tilted down to the right.
    const corner = (u: number, v: number): Point => [100 + u * c - v * s, 80 + u * s + v * c];
    const pts: Point[] = [corner(-20, -5), corner(20, -5), corner(20, 5), corner(-20, 5), corner(0, 0), corner(5, 2)];
    const r = minAreaRect(pts);
    expect(r.width * r.height).toBeCloseTo(400, 6);
    const got = rectCorners(r);
    const want = [corner(-20, -5), corner(20, -5), corner(20, 5), corner(-20, 5)];
    got.forEach((p, i) => { expect(p[0]).toBeCloseTo(want[i]![0], 6); expect(p[1]).toBeCloseTo(want[i]![1], 6); });
  });

  it('holds every point and is no larger than the axis-aligned box (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 })), { minLength: 3, maxLength: 60 }), (raw) => {
      const pts = raw as Point[];
      const r = minAreaRect(pts);
      const xs = pts.map((p) => p[0]);
      const ys = pts.map((p) => p[1]);
      const aabb = (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
      expect(r.width * r.height).toBeLessThanOrEqual(aabb + 1e-6);
      const [ux, uy] = r.axis;
      for (const p of pts) {
        const u = (p[0] - r.cx) * ux + (p[1] - r.cy) * uy;
        const v = -(p[0] - r.cx) * uy + (p[1] - r.cy) * ux;
        expect(Math.abs(u)).toBeLessThanOrEqual(r.width / 2 + 1e-6);
        expect(Math.abs(v)).toBeLessThanOrEqual(r.height / 2 + 1e-6);
      }
    }));
  });

  it('keeps only hull vertices', () => {
    expect(convexHull([[0, 0], [2, 0], [1, 1], [2, 2], [0, 2], [1, 0]])).toHaveLength(4);
  });
});
