import { z } from 'zod/v4';
import type { TensorMap } from '@infermesh/contracts';
import { BadInputError } from '../errors.js';
import { DB_DEFAULTS, dbPostprocess } from '../ocr/db-postprocess.js';
import { readInput } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type SyncStepInstance } from '../step.js';

const STEP = 'ocr-boxes@1.0.0';

export const OcrBoxesOptionsSchema = z.strictObject({
  /** The detector's probability map, FP32 [1, 1, H, W]. */
  input: TensorNameSchema,
  /** The decoded image (for its size), UINT8 [1, height, width, 3]. */
  rgb: TensorNameSchema.default('rgb'),
  /** Each box's corners in the image's pixels, FP32 [n, 4, 2], clockwise from top-left, in reading order. */
  boxes: TensorNameSchema.default('boxes'),
  /** Each box's mean text probability, FP32 [n]. */
  scores: TensorNameSchema.default('box_scores'),
  threshold: z.number().min(0).max(1).default(DB_DEFAULTS.threshold),
  boxThreshold: z.number().min(0).max(1).default(DB_DEFAULTS.boxThreshold),
  unclipRatio: z.number().min(0).max(10).default(DB_DEFAULTS.unclipRatio),
  minSize: z.number().min(0).max(1000).default(DB_DEFAULTS.minSize),
  maxCandidates: z.int().min(1).max(100_000).default(DB_DEFAULTS.maxCandidates),
});
export type OcrBoxesOptions = z.input<typeof OcrBoxesOptionsSchema>;

/** `ocr-boxes`: DB post-processing of one probability map into text boxes in the image's pixels. */
export const ocrBoxesStep: StepDefinition<z.output<typeof OcrBoxesOptionsSchema>, SyncStepInstance> = {
  name: 'ocr-boxes',
  version: '1.0.0',
  optionsSchema: OcrBoxesOptionsSchema,
  async create(o): Promise<SyncStepInstance> {
    const map = { name: o.input, datatype: 'FP32' as const, shape: [-1, 1, -1, -1] };
    const rgb = { name: o.rgb, datatype: 'UINT8' as const, shape: [-1, -1, -1, 3] };
    return {
      inputs: [map, rgb],
      outputs: [{ name: o.boxes, datatype: 'FP32', shape: [-1, 4, 2] }, { name: o.scores, datatype: 'FP32', shape: [-1] }],
      run(inputs: TensorMap): TensorMap {
        const p = readInput(STEP, inputs, map);
        const image = readInput(STEP, inputs, rgb);
        if (p.shape[0] !== 1 || image.shape[0] !== 1) throw new BadInputError(STEP, o.input, 'one image a request');
        const boxes = dbPostprocess(
          { data: p.data, width: p.shape[3]!, height: p.shape[2]! }, image.shape[2]!, image.shape[1]!,
          { threshold: o.threshold, boxThreshold: o.boxThreshold, unclipRatio: o.unclipRatio, minSize: o.minSize, maxCandidates: o.maxCandidates },
        );
        return {
          ...inputs,
          [o.boxes]: { datatype: 'FP32', shape: [boxes.length, 4, 2], data: Float32Array.from(boxes.flatMap((b) => b.points.flat())) },
          [o.scores]: { datatype: 'FP32', shape: [boxes.length], data: Float32Array.from(boxes, (b) => b.score) },
        };
      },
    };
  },
};
