import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '@infermesh/contracts';
import { BadInputError, PipelineMismatchError } from '../errors.js';
import { SoftmaxOptionsSchema, softmax, softmaxStep, type SoftmaxOptions } from './softmax.js';

const create = (options: SoftmaxOptions, upstream: TensorSpec[]) =>
  softmaxStep.create(SoftmaxOptionsSchema.parse(options), { dir: '.' }, upstream);

describe('softmax step', () => {
  it('matches hand-computed values on a batch of rows, passing its input through', async () => {
    const step = await create({ input: 'logits', output: 'probs' }, [{ name: 'logits', datatype: 'FP32', shape: [-1, 3] }]);
    expect(step.outputs).toEqual([{ name: 'probs', datatype: 'FP32', shape: [-1, 3] }]);
    const logits = { datatype: 'FP32' as const, shape: [3, 3], data: new Float32Array([0, 0, 0, 1, 2, 3, 1000, 1000, -1000]) };
    const out = step.run({ logits });
    expect(out['logits']).toBe(logits);
    const p = Array.from(out['probs']?.data as Float32Array);
    const e = [1, Math.E, Math.E ** 2];
    const s = e[0]! + e[1]! + e[2]!;
    const expected = [1 / 3, 1 / 3, 1 / 3, e[0]! / s, e[1]! / s, e[2]! / s, 0.5, 0.5, 0];
    p.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(out['probs']?.shape).toEqual([3, 3]);
  });

  it('works along a middle axis of a rank-3 tensor', () => {
    // [1, 2, 2]: softmax over axis 1 pairs (0, 2) and (1, 3).
    const out = softmax(new Float32Array([0, 0, Math.log(3), 0]), [1, 2, 2], 1);
    expect(Array.from(out)).toEqual([0.25, 0.5, 0.75, 0.5].map(Math.fround));
  });

  it('refuses the batch axis at build time', async () => {
    await expect(create({ input: 'x', output: 'y', axis: 0 }, [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]))
      .rejects.toBeInstanceOf(PipelineMismatchError);
  });

  it('refuses a tensor of the wrong shape at run time with a typed error', async () => {
    const step = await create({ input: 'x', output: 'y' }, [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }]);
    expect(() => step.run({ x: { datatype: 'FP32', shape: [1, 2], data: new Float32Array(2) } })).toThrow(BadInputError);
    expect(() => step.run({ x: { datatype: 'FP64', shape: [1, 3], data: new Float64Array(3) } })).toThrow(/is FP64, needs FP32/);
    expect(() => step.run({ x: { datatype: 'FP32', shape: [2, 3], data: new Float32Array(3) } })).toThrow(/needs 6/);
    expect(() => step.run({})).toThrow(/'x': is missing/);
  });

  it('property: every row is non-negative and sums to 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.float({ min: -50, max: 50, noNaN: true }), { minLength: 128, maxLength: 128 }),
        (rows, cols, pool) => {
          const data = Float32Array.from({ length: rows * cols }, (_, i) => pool[i % pool.length]!);
          const out = softmax(data, [rows, cols], 1);
          for (let r = 0; r < rows; r++) {
            let sum = 0;
            for (let c = 0; c < cols; c++) {
              const v = out[r * cols + c]!;
              expect(v).toBeGreaterThanOrEqual(0);
              sum += v;
            }
            expect(sum).toBeCloseTo(1, 5);
          }
        },
      ),
    );
  });
});
