import { z } from 'zod/v4';
import type { TensorMap } from '@infermesh/contracts';
import { BadInputError } from '../errors.js';
import { detectorInput, detectorSize } from '../ocr/detector-input.js';
import { DEFAULT_MAX_PIXELS, decodeImage, resizeImage } from '../ocr/image.js';
import { readInput } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type StepInstance } from '../step.js';

const STEP = 'ocr-detector-input@1.0.0';

export const OcrDetectorInputOptionsSchema = z.strictObject({
  /** One BYTES element: the encoded image (PNG, JPEG, WebP, GIF, TIFF), base64 text as the JSON protocol carries it. */
  input: TensorNameSchema.default('image'),
  /** The detector's input, FP32 [1, 3, H, W]. */
  output: TensorNameSchema.default('x'),
  /** The decoded image, UINT8 [1, height, width, 3] RGB, for the crop after detection. */
  rgb: TensorNameSchema.default('rgb'),
  /** The detector's longest side; both sides become multiples of 32. */
  limitSide: z.int().min(32).max(4096).default(960),
  /** Largest width × height accepted, checked on the header before decoding. */
  maxPixels: z.int().min(1).max(2 ** 31 - 1).default(DEFAULT_MAX_PIXELS),
});
export type OcrDetectorInputOptions = z.input<typeof OcrDetectorInputOptionsSchema>;

/** The bytes of a BYTES element: base64 text (how JSON carries binary data). */
export function imageBytes(element: string, step: string, tensor: string): Uint8Array {
  const text = element.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new BadInputError(step, tensor, 'is not base64 text of an image');
  return Buffer.from(text, 'base64');
}

/** `ocr-detector-input`: one encoded image → the detector's normalized CHW input, and the decoded image. */
export const ocrDetectorInputStep: StepDefinition<z.output<typeof OcrDetectorInputOptionsSchema>> = {
  name: 'ocr-detector-input',
  version: '1.0.0',
  optionsSchema: OcrDetectorInputOptionsSchema,
  async create(o): Promise<StepInstance> {
    const input = { name: o.input, datatype: 'BYTES' as const, shape: [-1] };
    return {
      async: true,
      inputs: [input],
      outputs: [
        { name: o.output, datatype: 'FP32', shape: [-1, 3, -1, -1] },
        { name: o.rgb, datatype: 'UINT8', shape: [-1, -1, -1, 3] },
      ],
      async run(inputs: TensorMap): Promise<TensorMap> {
        const t = readInput(STEP, inputs, input);
        if (t.data.length !== 1) throw new BadInputError(STEP, o.input, `holds ${t.data.length} images; send one image a request`);
        const image = await decodeImage(imageBytes(t.data[0]!, STEP, o.input), { maxPixels: o.maxPixels, step: STEP, tensor: o.input });
        const size = detectorSize(image.width, image.height, o.limitSide);
        const resized = await resizeImage(image, size.width, size.height);
        return {
          ...inputs,
          [o.output]: { datatype: 'FP32', shape: [1, 3, size.height, size.width], data: detectorInput(resized) },
          [o.rgb]: { datatype: 'UINT8', shape: [1, image.height, image.width, 3], data: image.data },
        };
      },
    };
  },
};
