import type { RgbImage } from './image.js';

/** PaddleOCR's detector input: ImageNet mean and std on [0, 1] values, channels in BGR order (cv2's). */
export const DETECTOR_MEAN = [0.485, 0.456, 0.406] as const;
export const DETECTOR_STD = [0.229, 0.224, 0.225] as const;

/**
 * The size the detector sees (PaddleOCR's `DetResizeForTest`, limit type `max`): scaled down so the
 * longer side is at most `limitSide`, then each side rounded to a multiple of 32 (at least 32).
 */
export function detectorSize(width: number, height: number, limitSide = 960): { width: number; height: number } {
  const ratio = Math.max(width, height) > limitSide ? limitSide / Math.max(width, height) : 1;
  const to32 = (v: number) => Math.max(32, Math.round((v * ratio) / 32) * 32);
  return { width: to32(width), height: to32(height) };
}

/**
 * An RGB image as the detector's CHW float input: channel c of the tensor is BGR channel c, scaled to
 * [0, 1], minus `DETECTOR_MEAN[c]`, over `DETECTOR_STD[c]` (PaddleOCR applies its mean in BGR order).
 * Writes into `out` at `offset` (one image of a batch), or a new array.
 */
export function detectorInput(image: RgbImage, out = new Float32Array(3 * image.width * image.height), offset = 0): Float32Array {
  const plane = image.width * image.height;
  const { data } = image;
  for (let c = 0; c < 3; c++) {
    const source = 2 - c; // BGR from RGB
    const scale = 1 / (255 * DETECTOR_STD[c]!);
    const shift = DETECTOR_MEAN[c]! / DETECTOR_STD[c]!;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = (data[i * 3 + source] as number) * scale - shift;
  }
  return out;
}
