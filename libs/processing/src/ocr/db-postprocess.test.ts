import { describe, expect, it } from 'vitest';
import { boxScore, dbPostprocess, readingOrder, textRegions, unclip, type ProbabilityMap } from './db-postprocess.js';

/** A `width × height` map of 0.05 with the given axis-aligned blocks set to `p`. */
function map(width: number, height: number, blocks: Array<[x0: number, y0: number, x1: number, y1: number, p: number]>): ProbabilityMap {
  const data = new Float32Array(width * height).fill(0.05);
  for (const [x0, y0, x1, y1, p] of blocks) for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) data[y * width + x] = p;
  return { data, width, height };
}

describe('DB post-processing', () => {
  it('finds 8-connected regions (a diagonal touch joins two blocks)', () => {
    const m = map(20, 10, [[0, 0, 2, 2, 0.9], [3, 3, 5, 5, 0.9], [10, 0, 12, 2, 0.9]]);
    const regions = textRegions(m, 0.3).map((r) => r.pixels).sort((a, b) => a - b);
    expect(regions).toEqual([9, 18]);
  });

  it('scores the mean probability inside a box', () => {
    const m = map(10, 10, [[0, 0, 4, 9, 1]]);
    expect(boxScore(m, [[0, 0], [9, 0], [9, 9], [0, 9]])).toBeCloseTo(0.525, 6);
  });

  it('grows a rectangle by area × ratio / perimeter on each side', () => {
    const r = unclip({ cx: 0, cy: 0, width: 40, height: 10, axis: [1, 0] }, 1.5);
    // d = 400 × 1.5 / 100 = 6
    expect([r.width, r.height]).toEqual([52, 22]);
  });

  it('turns two text blocks into unclipped boxes scaled to the source, in reading order', () => {
    // Map at half the source's size: blocks x 10..49 / y 5..14 and x 5..24 / y 30..37.
    const m = map(64, 48, [[5, 30, 24, 37, 0.9], [10, 5, 49, 14, 0.9], [60, 44, 61, 45, 0.95]]);
    const boxes = dbPostprocess(m, 128, 96);
    expect(boxes).toHaveLength(2); // the 2 × 2 speck is below min size
    const [first, second] = boxes;
    // Rect through pixel centres: 39 × 9, d = 351 × 1.5 / 96 ≈ 5.48 → x 4.52..54.48, y -0.48..19.48, × 2, clipped.
    expect(first!.points).toEqual([[9, 0], [109, 0], [109, 39], [9, 39]]);
    expect(first!.score).toBeCloseTo(0.9, 5);
    expect(second!.points[0]![1]).toBeGreaterThan(first!.points[3]![1] - 20);
    expect(second!.points[0]![0]).toBeLessThan(first!.points[0]![0]);
  });

  it('drops regions whose score is below the box threshold', () => {
    const m = map(64, 48, [[10, 5, 49, 14, 0.5]]);
    expect(dbPostprocess(m, 64, 48)).toEqual([]);
    expect(dbPostprocess(m, 64, 48, { boxThreshold: 0.4 })).toHaveLength(1);
  });

  it('sorts boxes on one line left to right even when the right one sits a little higher', () => {
    const box = (x: number, y: number) => ({ points: [[x, y], [x + 10, y], [x + 10, y + 5], [x, y + 5]] as const });
    expect(readingOrder([box(50, 100), box(0, 104), box(0, 0)]).map((b) => b.points[0])).toEqual([[0, 0], [0, 104], [50, 100]]);
  });
});
