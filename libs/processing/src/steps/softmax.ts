import { z } from 'zod/v4';
import type { TensorMap, TensorSpec } from '@infermesh/contracts';
import { BadInputError, PipelineMismatchError } from '../errors.js';
import { readInput, upstreamShape } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type SyncStepInstance } from '../step.js';

const STEP = 'softmax@1.0.0';

export const SoftmaxOptionsSchema = z.strictObject({
  input: TensorNameSchema,
  output: TensorNameSchema,
  /** Negative counts from the last axis. Never the batch axis: rows of one batch stay independent. */
  axis: z.int().default(-1),
});
export type SoftmaxOptions = z.input<typeof SoftmaxOptionsSchema>;

/** The axis as a non-negative index, or undefined when it is the batch axis or out of range. */
function resolveAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? rank + axis : axis;
  return a >= 1 && a < rank ? a : undefined;
}

/** exp(x - max) / Σ exp(x - max) along `axis`, in float64, stored as FP32. */
export function softmax(data: Float32Array, shape: readonly number[], axis: number): Float32Array {
  const out = new Float32Array(data.length);
  const dim = shape[axis] ?? 1;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d] ?? 1;
  const outer = dim * inner === 0 ? 0 : data.length / (dim * inner);
  // exp is the cost: take it once per element into a float64 scratch row, then scale.
  const e = new Float64Array(dim);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * dim * inner + j;
      let max = -Infinity;
      for (let k = 0; k < dim; k++) {
        const v = data[base + k * inner] as number;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let k = 0; k < dim; k++) {
        const x = Math.exp((data[base + k * inner] as number) - max);
        e[k] = x;
        sum += x;
      }
      for (let k = 0; k < dim; k++) out[base + k * inner] = (e[k] as number) / sum;
    }
  }
  return out;
}

/** `softmax`: FP32 of rank ≥ 2 to FP32 of the same shape, summing to 1 along `axis`. */
export const softmaxStep: StepDefinition<z.output<typeof SoftmaxOptionsSchema>, SyncStepInstance> = {
  name: 'softmax',
  version: '1.0.0',
  optionsSchema: SoftmaxOptionsSchema,
  async create(options, _context, upstream): Promise<SyncStepInstance> {
    const shape = upstreamShape(upstream, options.input, 'FP32', 2, [-1, -1]);
    if (resolveAxis(options.axis, shape.length) === undefined) {
      const input: TensorSpec = { name: options.input, datatype: 'FP32', shape };
      throw new PipelineMismatchError(
        `step '${STEP}': axis ${options.axis} is the batch axis or outside rank ${shape.length} of '${options.input}'`,
        { step: STEP, tensor: options.input, expected: input, actual: input, available: upstream },
      );
    }
    const input: TensorSpec = { name: options.input, datatype: 'FP32', shape };
    const output: TensorSpec = { name: options.output, datatype: 'FP32', shape: [...shape] };
    return {
      inputs: [input],
      outputs: [output],
      run(inputs: TensorMap): TensorMap {
        const x = readInput(STEP, inputs, { ...input, datatype: 'FP32' });
        const axis = resolveAxis(options.axis, x.shape.length);
        if (axis === undefined) throw new BadInputError(STEP, input.name, `axis ${options.axis} does not fit its rank`);
        return { ...inputs, [output.name]: { datatype: 'FP32', shape: x.shape, data: softmax(x.data, x.shape, axis) } };
      },
    };
  },
};
