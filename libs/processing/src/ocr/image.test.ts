import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.js';
import { decodeImage, resizeImage } from './image.js';

// A 3 × 2 image: red, green, blue / black, white, grey.
const PIXELS = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 128, 128, 128]);
const png = () => sharp(PIXELS, { raw: { width: 3, height: 2, channels: 3 } }).png().toBuffer();

describe('decodeImage', () => {
  it('decodes a PNG to its exact RGB pixels', async () => {
    const image = await decodeImage(await png());
    expect([image.width, image.height]).toEqual([3, 2]);
    expect([...image.data]).toEqual([...PIXELS]);
  });

  it('turns grey into three channels and lays transparency on white', async () => {
    const grey = await sharp(Uint8Array.of(10, 200), { raw: { width: 2, height: 1, channels: 1 } }).png().toBuffer();
    expect([...(await decodeImage(grey)).data]).toEqual([10, 10, 10, 200, 200, 200]);
    const clear = await sharp(Uint8Array.of(0, 0, 0, 0), { raw: { width: 1, height: 1, channels: 4 } }).png().toBuffer();
    expect([...(await decodeImage(clear)).data]).toEqual([255, 255, 255]);
  });

  it('refuses what is not a whole image with a BadInputError', async () => {
    const whole = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png({ compressionLevel: 0 }).toBuffer();
    const cases: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(0), /empty/],
      [Buffer.from('not an image'), /not an image/],
      [whole.subarray(0, whole.length - 200), /truncated or corrupt/],
    ];
    for (const [bytes, message] of cases) {
      const error = await decodeImage(bytes).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadInputError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('refuses a header claiming more pixels than the limit before decoding it', async () => {
    const big = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } }).png().toBuffer();
    await expect(decodeImage(big, { maxPixels: 50_000 })).rejects.toThrow(/claims 300 × 200 pixels, more than the limit of 50000/);
    expect((await decodeImage(big, { maxPixels: 60_000 })).width).toBe(300);
  });
});

describe('resizeImage', () => {
  it('resizes to the exact size asked for, keeping a flat colour flat', async () => {
    const flat = { width: 4, height: 2, data: new Uint8Array(24).fill(90) };
    const out = await resizeImage(flat, 7, 3);
    expect([out.width, out.height, out.data.length]).toEqual([7, 3, 63]);
    expect(out.data.every((v) => v === 90)).toBe(true);
    expect(await resizeImage(flat, 4, 2)).toBe(flat);
  });
});
