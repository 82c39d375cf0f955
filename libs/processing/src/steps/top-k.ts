import { z } from 'zod/v4';
import type { TensorMap, TensorSpec } from '@infermesh/contracts';
import { BadInputError, PipelineMismatchError } from '../errors.js';
import { readInput, upstreamShape } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type SyncStepInstance } from '../step.js';

const STEP = 'top-k@1.0.0';

export const TopKOptionsSchema = z
  .strictObject({
    input: TensorNameSchema,
    k: z.int().min(1).max(65_536),
    outputValues: TensorNameSchema,
    outputIndices: TensorNameSchema,
  })
  .refine((o) => o.outputValues !== o.outputIndices, {
    message: 'outputValues and outputIndices must differ',
    path: ['outputIndices'],
  });
export type TopKOptions = z.input<typeof TopKOptionsSchema>;

/** Whether (v, i) ranks above (w, j): larger value first, NaN last, the lower index on a tie. */
function ranksAbove(v: number, i: number, w: number, j: number): boolean {
  if (Number.isNaN(v)) return Number.isNaN(w) && i < j;
  if (Number.isNaN(w)) return true;
  return v > w || (v === w && i < j);
}

/** The k largest values of each row of an [N, C] matrix, descending, with their column indices. */
export function topK(data: Float32Array, rows: number, cols: number, k: number): { values: Float32Array; indices: BigInt64Array } {
  const values = new Float32Array(rows * k);
  const indices = new BigInt64Array(rows * k);
  const bestV = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    // Insertion into a sorted buffer of k: O(C·k), cheaper than sorting C for the small k used here.
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c] as number;
      if (count === k && !ranksAbove(v, c, bestV[k - 1] as number, bestI[k - 1] as number)) continue;
      let p = count < k ? count++ : k - 1;
      while (p > 0 && ranksAbove(v, c, bestV[p - 1] as number, bestI[p - 1] as number)) {
        bestV[p] = bestV[p - 1] as number;
        bestI[p] = bestI[p - 1] as number;
        p--;
      }
      bestV[p] = v;
      bestI[p] = c;
    }
    for (let p = 0; p < k; p++) {
      values[r * k + p] = bestV[p] as number;
      indices[r * k + p] = BigInt(bestI[p] as number);
    }
  }
  return { values, indices };
}

/** `top-k`: FP32 [N, C] to FP32 [N, k] values and INT64 [N, k] indices, largest first. */
export const topKStep: StepDefinition<z.output<typeof TopKOptionsSchema>, SyncStepInstance> = {
  name: 'top-k',
  version: '1.0.0',
  optionsSchema: TopKOptionsSchema,
  async create(options, _context, upstream): Promise<SyncStepInstance> {
    const { k } = options;
    const shape = upstreamShape(upstream, options.input, 'FP32', 2, [-1, -1]).slice(0, 2);
    const input: TensorSpec = { name: options.input, datatype: 'FP32', shape };
    const cols = shape[1] as number;
    if (shape.length === 2 && cols !== -1 && cols < k) {
      throw new PipelineMismatchError(
        `step '${STEP}': k = ${k} is more than the ${cols} columns of '${options.input}'`,
        { step: STEP, tensor: options.input, expected: { ...input, shape: [-1, k] }, actual: input, available: upstream },
      );
    }
    const values: TensorSpec = { name: options.outputValues, datatype: 'FP32', shape: [shape[0] ?? -1, k] };
    const indices: TensorSpec = { name: options.outputIndices, datatype: 'INT64', shape: [shape[0] ?? -1, k] };
    return {
      inputs: [input],
      outputs: [values, indices],
      run(inputs: TensorMap): TensorMap {
        const x = readInput(STEP, inputs, { ...input, datatype: 'FP32' });
        const [rows, c] = x.shape as [number, number];
        if (c < k) throw new BadInputError(STEP, input.name, `has ${c} columns, k is ${k}`);
        const out = topK(x.data, rows, c, k);
        return {
          ...inputs,
          [values.name]: { datatype: 'FP32', shape: [rows, k], data: out.values },
          [indices.name]: { datatype: 'INT64', shape: [rows, k], data: out.indices },
        };
      },
    };
  },
};
