import { z } from 'zod/v4';
import { padRows } from '@infermesh/batcher';
import type { TensorMap } from '@infermesh/contracts';
import { BadInputError } from '../errors.js';
import type { Point } from '../ocr/min-area-rect.js';
import { perspectiveCrop } from '../ocr/perspective-crop.js';
import { RECOGNIZER_HEIGHT, RECOGNIZER_MIN_WIDTH, recognizerRow } from '../ocr/recognizer-input.js';
import { readInput } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type StepInstance } from '../step.js';

const STEP = 'ocr-crop-lines@1.0.0';

export const OcrCropLinesOptionsSchema = z.strictObject({
  /** The decoded image, UINT8 [1, height, width, 3]. */
  rgb: TensorNameSchema.default('rgb'),
  /** The boxes to cut out, FP32 [n, 4, 2]. */
  boxes: TensorNameSchema.default('boxes'),
  /** The recognizer's input, FP32 [n, 3, 48, W]: each line at height 48, padded to the widest (at least 320). */
  output: TensorNameSchema.default('lines'),
  /** Each line's own width before padding, INT32 [n]. */
  widths: TensorNameSchema.default('line_widths'),
  /** The widest a line is resized to. */
  maxLineWidth: z.int().min(8).max(16_384).default(3200),
});
export type OcrCropLinesOptions = z.input<typeof OcrCropLinesOptionsSchema>;

/** `ocr-crop-lines`: each box cut out of the image, straightened, sized and scaled for the recognizer. */
export const ocrCropLinesStep: StepDefinition<z.output<typeof OcrCropLinesOptionsSchema>> = {
  name: 'ocr-crop-lines',
  version: '1.0.0',
  optionsSchema: OcrCropLinesOptionsSchema,
  async create(o): Promise<StepInstance> {
    const rgb = { name: o.rgb, datatype: 'UINT8' as const, shape: [-1, -1, -1, 3] };
    const boxes = { name: o.boxes, datatype: 'FP32' as const, shape: [-1, 4, 2] };
    return {
      async: true,
      inputs: [rgb, boxes],
      outputs: [
        { name: o.output, datatype: 'FP32', shape: [-1, 3, RECOGNIZER_HEIGHT, -1] },
        { name: o.widths, datatype: 'INT32', shape: [-1] },
      ],
      async run(inputs: TensorMap): Promise<TensorMap> {
        const image = readInput(STEP, inputs, rgb);
        const b = readInput(STEP, inputs, boxes);
        if (image.shape[0] !== 1) throw new BadInputError(STEP, o.rgb, 'one image a request');
        const source = { width: image.shape[2]!, height: image.shape[1]!, data: image.data };
        const n = b.shape[0]!;
        const rows = await Promise.all(Array.from({ length: n }, (_, i) => {
          const at = (k: number): Point => [b.data[i * 8 + k * 2]!, b.data[i * 8 + k * 2 + 1]!];
          return recognizerRow(perspectiveCrop(source, [at(0), at(1), at(2), at(3)]), o.maxLineWidth);
        }));
        const batch = padRows(rows, 3 * RECOGNIZER_HEIGHT, RECOGNIZER_MIN_WIDTH);
        return {
          ...inputs,
          [o.output]: { datatype: 'FP32', shape: [n, 3, RECOGNIZER_HEIGHT, batch.width], data: batch.data },
          [o.widths]: { datatype: 'INT32', shape: [n], data: Int32Array.from(batch.widths) },
        };
      },
    };
  },
};
