import { describe, expect, it } from 'vitest';
import { DETECTOR_MEAN, DETECTOR_STD, detectorInput, detectorSize } from './detector-input.js';
import type { RgbImage } from './image.js';
import { homography, perspectiveCrop, rotateCounterClockwise } from './perspective-crop.js';
import { recognizerRow, recognizerWidth } from './recognizer-input.js';

/** A `width × height` image whose pixel (x, y) is (x, y, 7). */
function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  return { width, height, data };
}

describe('detector input', () => {
  it('limits the longer side to 960 and rounds both to multiples of 32', () => {
    expect(detectorSize(1920, 1080)).toEqual({ width: 960, height: 544 });
    expect(detectorSize(100, 50)).toEqual({ width: 96, height: 64 });
    expect(detectorSize(10, 10)).toEqual({ width: 32, height: 32 });
  });

  it('writes BGR planes with PaddleOCR\'s mean and std', () => {
    const out = detectorInput({ width: 1, height: 1, data: Uint8Array.of(255, 0, 51) });
    expect(out[0]).toBeCloseTo((51 / 255 - DETECTOR_MEAN[0]) / DETECTOR_STD[0], 5);
    expect(out[1]).toBeCloseTo((0 - DETECTOR_MEAN[1]) / DETECTOR_STD[1], 5);
    expect(out[2]).toBeCloseTo((1 - DETECTOR_MEAN[2]) / DETECTOR_STD[2], 5);
  });
});

describe('perspective crop', () => {
  it('solves the homography of four point pairs', () => {
    const h = homography([[0, 0], [10, 0], [10, 5], [0, 5]], [[2, 3], [22, 3], [22, 13], [2, 13]]);
    const map = (x: number, y: number) => {
      const w = h[6]! * x + h[7]! * y + 1;
      return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
    };
    expect(map(5, 2).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([12, 7]);
  });

  it('cuts an axis-aligned box out exactly', () => {
    const crop = perspectiveCrop(ramp(20, 10), [[3, 2], [9, 2], [9, 5], [3, 5]]);
    expect([crop.width, crop.height]).toEqual([6, 3]);
    expect([...crop.data.subarray(0, 6)]).toEqual([3, 2, 7, 4, 2, 7]);
  });

  it('straightens a tilted box and lays a tall one down', () => {
    // A box turned 90°: its "top" edge runs down the image.
    const tall = perspectiveCrop(ramp(20, 20), [[5, 2], [5, 14], [2, 14], [2, 2]]);
    expect([tall.width, tall.height]).toEqual([12, 3]);
    const turned = rotateCounterClockwise({ width: 2, height: 1, data: Uint8Array.of(1, 1, 1, 2, 2, 2) });
    expect([turned.width, turned.height, ...turned.data]).toEqual([1, 2, 2, 2, 2, 1, 1, 1]);
    const lying = perspectiveCrop(ramp(20, 20), [[2, 2], [4, 2], [4, 14], [2, 14]]);
    expect([lying.width, lying.height]).toEqual([12, 2]);
  });
});

describe('recognizer input', () => {
  it('keeps the aspect at height 48, within the widest allowed', () => {
    expect(recognizerWidth({ width: 100, height: 20 }, 3200)).toBe(240);
    expect(recognizerWidth({ width: 1000, height: 10 }, 3200)).toBe(3200);
  });

  it('scales to [-1, 1] in BGR planes', async () => {
    const white = await recognizerRow({ width: 10, height: 48, data: new Uint8Array(10 * 48 * 3).fill(255) }, 3200);
    expect(white.width).toBe(10);
    expect(white.data.length).toBe(3 * 48 * 10);
    expect(white.data.every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    const red = await recognizerRow({ width: 1, height: 48, data: Uint8Array.from({ length: 144 }, (_, i) => (i % 3 === 0 ? 255 : 0)) }, 3200);
    expect([red.data[0], red.data[48 * 2]]).toEqual([-1, 1]);
  });
});
