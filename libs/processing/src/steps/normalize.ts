import { z } from 'zod/v4';
import type { TensorMap, TensorSpec } from '@infermesh/contracts';
import { BadInputError, PipelineMismatchError } from '../errors.js';
import { readInput, upstreamShape } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type SyncStepInstance } from '../step.js';

const STEP = 'normalize@1.0.0';

const Stat = (positive: boolean) => {
  const n = positive ? z.number().positive().finite() : z.number().finite();
  return z.union([n, z.array(n).min(1)]);
};

export const NormalizeOptionsSchema = z
  .strictObject({
    input: TensorNameSchema,
    output: TensorNameSchema,
    /** Subtracted from each element; a list gives one value per position of the last axis. */
    mean: Stat(false),
    /** Divides each element after the mean is taken off; every value must be > 0. */
    std: Stat(true),
  })
  .refine(
    (o) => !Array.isArray(o.mean) || !Array.isArray(o.std) || o.mean.length === o.std.length,
    { message: 'mean and std lists must have the same length', path: ['std'] },
  );
export type NormalizeOptions = z.input<typeof NormalizeOptionsSchema>;

/** (x - mean[d]) / std[d] where d is the position along the last axis. */
export function normalize(data: Float32Array, width: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const d = width === 0 ? 0 : i % width;
    const m = mean.length === 1 ? (mean[0] as number) : (mean[d] as number);
    const s = std.length === 1 ? (std[0] as number) : (std[d] as number);
    out[i] = ((data[i] as number) - m) / s;
  }
  return out;
}

/** `normalize`: FP32 to FP32 of the same shape, standardized along the last axis. */
export const normalizeStep: StepDefinition<z.output<typeof NormalizeOptionsSchema>, SyncStepInstance> = {
  name: 'normalize',
  version: '1.0.0',
  optionsSchema: NormalizeOptionsSchema,
  async create(options, _context, upstream): Promise<SyncStepInstance> {
    const mean = typeof options.mean === 'number' ? [options.mean] : options.mean;
    const std = typeof options.std === 'number' ? [options.std] : options.std;
    const width = Math.max(mean.length, std.length);
    // One value per position of the last axis needs a last axis that is not the batch axis.
    const perPosition = width > 1;
    let shape = upstreamShape(upstream, options.input, 'FP32', perPosition ? 2 : 1, perPosition ? [-1, width] : [-1]);
    const last = shape[shape.length - 1];
    if (perPosition && last !== -1 && last !== width) {
      const actual: TensorSpec = { name: options.input, datatype: 'FP32', shape };
      throw new PipelineMismatchError(
        `step '${STEP}': '${options.input}' has ${last} values on its last axis, mean/std give ${width}`,
        { step: STEP, tensor: options.input, expected: { ...actual, shape: [...shape.slice(0, -1), width] }, actual, available: upstream },
      );
    }
    if (perPosition) shape = [...shape.slice(0, -1), width];
    const input: TensorSpec = { name: options.input, datatype: 'FP32', shape };
    const output: TensorSpec = { name: options.output, datatype: 'FP32', shape: [...shape] };
    return {
      inputs: [input],
      outputs: [output],
      run(inputs: TensorMap): TensorMap {
        const x = readInput(STEP, inputs, { ...input, datatype: 'FP32' });
        const w = x.shape[x.shape.length - 1] ?? 1;
        if (perPosition && w !== width) throw new BadInputError(STEP, input.name, `last axis is ${w}, needs ${width}`);
        return { ...inputs, [output.name]: { datatype: 'FP32', shape: x.shape, data: normalize(x.data, w, mean, std) } };
      },
    };
  },
};
