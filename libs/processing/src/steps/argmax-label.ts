import { z } from 'zod/v4';
import type { TensorMap, TensorSpec } from '@infermesh/contracts';
import { PipelineMismatchError } from '../errors.js';
import { readInput, upstreamShape } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type SyncStepInstance } from '../step.js';

const STEP = 'argmax-label@1.0.0';

export const ArgmaxLabelOptionsSchema = z.strictObject({
  input: TensorNameSchema,
  output: TensorNameSchema,
  /** One label per column of the input, in column order. */
  labels: z.array(z.string()).min(1).max(65_536),
});
export type ArgmaxLabelOptions = z.input<typeof ArgmaxLabelOptionsSchema>;

/** The label of the largest column of each row of an [N, C] matrix; the first on a tie, NaN never. */
export function argmaxLabels(data: Float32Array, rows: number, labels: readonly string[]): string[] {
  const cols = labels.length;
  const out: string[] = new Array<string>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    let seen = false;
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c] as number;
      if (Number.isNaN(v)) continue;
      if (!seen || v > bestValue) {
        best = c;
        bestValue = v;
        seen = true;
      }
    }
    out[r] = labels[best] as string;
  }
  return out;
}

/** `argmax-label`: FP32 [N, C] to BYTES [N], the label of each row's largest score. */
export const argmaxLabelStep: StepDefinition<z.output<typeof ArgmaxLabelOptionsSchema>, SyncStepInstance> = {
  name: 'argmax-label',
  version: '1.0.0',
  optionsSchema: ArgmaxLabelOptionsSchema,
  async create(options, _context, upstream): Promise<SyncStepInstance> {
    const { labels } = options;
    const shape = upstreamShape(upstream, options.input, 'FP32', 2, [-1, labels.length]);
    const cols = shape[1] as number;
    if (shape.length === 2 && cols !== -1 && cols !== labels.length) {
      const actual: TensorSpec = { name: options.input, datatype: 'FP32', shape };
      throw new PipelineMismatchError(
        `step '${STEP}': '${options.input}' has ${cols} columns but ${labels.length} labels are given`,
        { step: STEP, tensor: options.input, expected: { ...actual, shape: [-1, labels.length] }, actual, available: upstream },
      );
    }
    // A column count unknown at build time is checked by readInput against [N, labels.length] at run.
    const input: TensorSpec = { name: options.input, datatype: 'FP32', shape: [shape[0] ?? -1, labels.length] };
    const output: TensorSpec = { name: options.output, datatype: 'BYTES', shape: [shape[0] ?? -1] };
    return {
      inputs: [input],
      outputs: [output],
      run(inputs: TensorMap): TensorMap {
        const x = readInput(STEP, inputs, { ...input, datatype: 'FP32' });
        const rows = x.shape[0] as number;
        return { ...inputs, [output.name]: { datatype: 'BYTES', shape: [rows], data: argmaxLabels(x.data, rows, labels) } };
      },
    };
  },
};
