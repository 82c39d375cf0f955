import type { Metadata, default as Sharp } from 'sharp';
import { BadInputError } from '../errors.js';

let sharpLoading: Promise<typeof Sharp> | undefined;
/**
 * sharp, imported with the first image: a process that decodes none (no OCR pipeline among its models)
 * does not load libvips, about a tenth of a second of every start (docs/design.md). Outside the
 * refusals' `try`: a sharp that cannot load is a fault of the install, not of the client's image.
 */
const loadSharp = (): Promise<typeof Sharp> => (sharpLoading ??= import('sharp').then((m) => m.default));

/** A decoded image: 8-bit RGB, row-major, three bytes a pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface DecodeImageOptions {
  /** Largest width × height accepted, read from the header before any pixel is decoded. Default: 25,000,000. */
  maxPixels?: number;
  /** The step and tensor named in errors. Default: `decode-image`, `image`. */
  step?: string;
  tensor?: string;
}

export const DEFAULT_MAX_PIXELS = 25_000_000;

/**
 * Decodes a PNG, JPEG, WebP, GIF or TIFF into RGB: EXIF orientation applied, transparency laid on white,
 * grey and CMYK converted to sRGB. A header that claims more than `maxPixels` is refused before its
 * pixels are decoded (sharp's `limitInputPixels`); a truncated or corrupt file is refused too
 * (`failOn: 'truncated'`) rather than decoded to a grey half. Every refusal is a `BadInputError`.
 */
export async function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage> {
  const step = options.step ?? 'decode-image';
  const tensor = options.tensor ?? 'image';
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new BadInputError(step, tensor, 'is empty, not an image');
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new BadInputError(step, tensor, 'is not an image sharp can read (PNG, JPEG, WebP, GIF, TIFF)', { cause });
  }
  const { width, height } = meta;
  if (!width || !height) throw new BadInputError(step, tensor, `has no pixels (${width ?? 0} × ${height ?? 0})`);
  if (width * height > maxPixels) {
    throw new BadInputError(step, tensor, `claims ${width} × ${height} pixels, more than the limit of ${maxPixels}`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new BadInputError(step, tensor, `decoded to ${info.channels} channels, not 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (cause) {
    if (cause instanceof BadInputError) throw cause;
    throw new BadInputError(step, tensor, `cannot be decoded (truncated or corrupt): ${(cause as Error).message}`, { cause });
  }
}

/** The image resized to exactly `width × height` (bilinear, as PaddleOCR's `cv2.resize`). */
export async function resizeImage(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const sharp = await loadSharp();
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
