import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '@infermesh/contracts';
import { PipelineMismatchError } from '../errors.js';
import { NormalizeOptionsSchema, normalizeStep, type NormalizeOptions } from './normalize.js';

const create = (options: NormalizeOptions, upstream: TensorSpec[]) =>
  normalizeStep.create(NormalizeOptionsSchema.parse(options), { dir: '.' }, upstream);

describe('normalize step', () => {
  it('standardizes each position of the last axis with its own mean and std', async () => {
    const step = await create({ input: 'x', output: 'y', mean: [1, 10], std: [2, 5] }, [
      { name: 'x', datatype: 'FP32', shape: [-1, -1] },
    ]);
    expect(step.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 2] }]);
    const out = step.run({ x: { datatype: 'FP32', shape: [2, 2], data: new Float32Array([3, 20, -1, 0]) } });
    expect(Array.from(out['y']?.data as Float32Array)).toEqual([1, 2, -1, -2]);
  });

  it('applies a scalar mean and std to every element', async () => {
    const step = await create({ input: 'x', output: 'x', mean: 0.5, std: 0.25 }, [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }]);
    const out = step.run({ x: { datatype: 'FP32', shape: [1, 3], data: new Float32Array([0, 0.5, 1]) } });
    expect(Array.from(out['x']?.data as Float32Array)).toEqual([-2, 0, 2]);
  });

  it('refuses a zero std, and mean/std lists of different lengths', () => {
    expect(NormalizeOptionsSchema.safeParse({ input: 'x', output: 'y', mean: 0, std: 0 }).success).toBe(false);
    expect(NormalizeOptionsSchema.safeParse({ input: 'x', output: 'y', mean: [0, 1], std: [1, 1, 1] }).success).toBe(false);
  });

  it('refuses a last axis whose size differs from the lists at build time', async () => {
    await expect(create({ input: 'x', output: 'y', mean: [0, 0], std: [1, 1] }, [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }]))
      .rejects.toBeInstanceOf(PipelineMismatchError);
  });
});
