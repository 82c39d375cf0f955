import { resizeImage, type RgbImage } from './image.js';

/** PaddleOCR v4's recognizer input height, and the narrowest batch it pads to (its `rec_image_shape` 3,48,320). */
export const RECOGNIZER_HEIGHT = 48;
export const RECOGNIZER_MIN_WIDTH = 320;

/** One text line as the recognizer reads it: CHW floats `3 × 48 × width`. */
export interface RecognizerRow {
  data: Float32Array;
  width: number;
}

/** The width a crop gets at the recognizer's height, keeping its aspect (at most `maxWidth`). */
export function recognizerWidth(crop: { width: number; height: number }, maxWidth: number, height = RECOGNIZER_HEIGHT): number {
  return Math.max(1, Math.min(maxWidth, Math.ceil((height * crop.width) / crop.height)));
}

/**
 * A crop resized to the recognizer's height keeping its aspect (PaddleOCR's `resize_norm_img`), then
 * scaled to [-1, 1] ((x / 255 - 0.5) / 0.5) in CHW layout, channels in BGR order.
 */
export async function recognizerRow(crop: RgbImage, maxWidth: number, height = RECOGNIZER_HEIGHT): Promise<RecognizerRow> {
  const width = recognizerWidth(crop, maxWidth, height);
  const resized = await resizeImage(crop, width, height);
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const source = 2 - c;
    for (let i = 0; i < plane; i++) data[c * plane + i] = (resized.data[i * 3 + source] as number) / 127.5 - 1;
  }
  return { data, width };
}
