import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupBySize, padRows, paddingWaste, unpadRow } from './dynamic-shapes.js';

const row = (outer: number, width: number, seed: number) => ({
  width,
  data: Float32Array.from({ length: outer * width }, (_, i) => seed * 1000 + i),
});

describe('dynamic shapes', () => {
  it('pads rows to the widest, keeping each row in its place', () => {
    const batch = padRows([row(2, 2, 1), row(2, 3, 2)], 2, 1, -1);
    expect(batch.width).toBe(3);
    expect([...batch.data]).toEqual([1000, 1001, -1, 1002, 1003, -1, 2000, 2001, 2002, 2003, 2004, 2005]);
    expect(padRows([row(1, 2, 0)], 1, 4).width).toBe(4);
    expect(() => padRows([{ width: 3, data: new Float32Array(5) }], 2)).toThrow(RangeError);
  });

  it('cuts every row back to itself (property: scatter = gather)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (outer, widths) => {
      const rows = widths.map((w, i) => row(outer, w, i));
      const batch = padRows(rows, outer);
      rows.forEach((r, i) => expect(unpadRow(batch.data, i, outer, batch.width, r.width)).toEqual(r.data));
    }));
  });

  it('groups neighbouring sizes, at most maxBatch to a group, every index once', () => {
    expect(groupBySize([10, 300, 12, 290, 11], 2)).toEqual([[0, 4], [2, 3], [1]]);
    expect(() => groupBySize([1], 0)).toThrow(RangeError);
  });

  it('measures padding waste, and grouping by size cuts it', () => {
    // Text lines as a page gives them: widths (at height 48) from short words to long sentences.
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const widths = Array.from({ length: 96 }, () => Math.round(40 + next() ** 2 * 1200));
    const waste = (groups: number[][]) => {
      let padded = 0;
      let own = 0;
      for (const g of groups) {
        const w = Math.max(...g.map((i) => widths[i]!));
        padded += g.length * w;
        own += g.reduce((s, i) => s + widths[i]!, 0);
      }
      return 1 - own / padded;
    };
    const arrival = Array.from({ length: 16 }, (_, b) => Array.from({ length: 6 }, (_, i) => b * 6 + i));
    const inOrder = waste(arrival);
    const grouped = waste(groupBySize(widths, 6));
    expect(paddingWaste([1, 3], 4)).toBe(0.5);
    expect(inOrder).toBeGreaterThan(0.4);
    expect(grouped).toBeLessThan(0.1);
    expect(grouped).toBeLessThan(inOrder / 4);
  });
});
