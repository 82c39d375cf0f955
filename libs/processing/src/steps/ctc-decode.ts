import { z } from 'zod/v4';
import type { TensorMap, TensorSpec } from '@infermesh/contracts';
import { PipelineMismatchError, ProcessingFileError } from '../errors.js';
import { readModelFile } from '../model-file.js';
import { ctcCharacters, ctcGreedyDecode } from '../ocr/ctc-decode.js';
import { readInput, upstreamShape } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type SyncStepInstance } from '../step.js';

const STEP = 'ctc-decode@1.0.0';

export const CtcDecodeOptionsSchema = z.strictObject({
  /** The recognizer's probabilities, FP32 [n, T, classes]; class 0 is the CTC blank. */
  input: TensorNameSchema,
  /** The character list, one a line, in the model folder; a space is appended (PaddleOCR's `use_space_char`). */
  characters: z.string().min(1).max(255),
  /** Each row's own width at the recognizer's input, INT32 [n]: the time steps past it (padding) are not read. */
  widths: TensorNameSchema.optional(),
  /** Input columns per time step (PP-OCRv4's recognizer: 8). */
  stride: z.int().min(1).max(64).default(8),
  /** The text of each row, BYTES [n]. */
  output: TensorNameSchema.default('text'),
  /** The mean probability of each row's kept characters, FP32 [n]. */
  score: TensorNameSchema.default('score'),
});
export type CtcDecodeOptions = z.input<typeof CtcDecodeOptionsSchema>;

/** `ctc-decode`: greedy CTC decoding, repeats merged and blanks dropped, with a character list file. */
export const ctcDecodeStep: StepDefinition<z.output<typeof CtcDecodeOptionsSchema>, SyncStepInstance> = {
  name: 'ctc-decode',
  version: '1.0.0',
  optionsSchema: CtcDecodeOptionsSchema,
  async create(o, context, upstream): Promise<SyncStepInstance> {
    const characters = ctcCharacters(await readModelFile(context.dir, o.characters));
    if (characters.length < 2) throw new ProcessingFileError(o.characters, 'holds no characters');
    const classes = characters.length + 1;
    const shape = upstreamShape(upstream, o.input, 'FP32', 3, [-1, -1, classes]);
    if (shape[2] !== -1 && shape[2] !== classes) {
      const actual: TensorSpec = { name: o.input, datatype: 'FP32', shape };
      throw new PipelineMismatchError(`step '${STEP}': '${o.input}' has ${shape[2]} classes, '${o.characters}' gives ${classes}`, {
        step: STEP, tensor: o.input, expected: { ...actual, shape: [-1, -1, classes] }, actual, available: upstream,
      });
    }
    const input = { name: o.input, datatype: 'FP32' as const, shape: [-1, -1, classes] };
    const widths = o.widths === undefined ? undefined : { name: o.widths, datatype: 'INT32' as const, shape: [-1] };
    return {
      inputs: widths ? [input, widths] : [input],
      outputs: [{ name: o.output, datatype: 'BYTES', shape: [-1] }, { name: o.score, datatype: 'FP32', shape: [-1] }],
      run(inputs: TensorMap): TensorMap {
        const p = readInput(STEP, inputs, input);
        const [n, steps] = p.shape as [number, number, number];
        const w = widths ? readInput(STEP, inputs, widths).data : undefined;
        const text: string[] = [];
        const score = new Float32Array(n);
        for (let r = 0; r < n; r++) {
          const own = w ? Math.min(steps, Math.ceil(w[r]! / o.stride)) : steps;
          const line = ctcGreedyDecode(p.data.subarray(r * steps * classes, (r + 1) * steps * classes), own, classes, characters);
          text.push(line.text);
          score[r] = line.score;
        }
        return { ...inputs, [o.output]: { datatype: 'BYTES', shape: [n], data: text }, [o.score]: { datatype: 'FP32', shape: [n], data: score } };
      },
    };
  },
};
