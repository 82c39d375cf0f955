import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '@infermesh/contracts';
import { BadInputError, PipelineMismatchError } from '../errors.js';
import { TopKOptionsSchema, topK, topKStep, type TopKOptions } from './top-k.js';

const create = (options: TopKOptions, upstream: TensorSpec[]) =>
  topKStep.create(TopKOptionsSchema.parse(options), { dir: '.' }, upstream);
const options = { input: 'p', k: 2, outputValues: 'v', outputIndices: 'i' };

describe('top-k step', () => {
  it('gives the k largest values, descending, with INT64 indices, per row', async () => {
    const step = await create(options, [{ name: 'p', datatype: 'FP32', shape: [-1, 4] }]);
    expect(step.outputs).toEqual([
      { name: 'v', datatype: 'FP32', shape: [-1, 2] },
      { name: 'i', datatype: 'INT64', shape: [-1, 2] },
    ]);
    const out = step.run({ p: { datatype: 'FP32', shape: [3, 4], data: new Float32Array([
      0.1, 0.4, 0.2, 0.3,
      5, -1, 7, 7,
      -3, -2, -1, -4,
    ]) } });
    expect(out['v']?.shape).toEqual([3, 2]);
    expect(Array.from(out['v']?.data as Float32Array)).toEqual([0.4, 0.3, 7, 7, -1, -2].map(Math.fround));
    expect(out['i']?.data).toBeInstanceOf(BigInt64Array);
    // Ties keep the lower index first.
    expect(Array.from(out['i']?.data as BigInt64Array)).toEqual([1n, 3n, 2n, 3n, 2n, 1n]);
    expect(out['p']).toBeDefined();
  });

  it('ranks NaN last', () => {
    const { values, indices } = topK(new Float32Array([Number.NaN, 1, 2]), 1, 3, 3);
    expect(Array.from(values)).toEqual([2, 1, Number.NaN]);
    expect(Array.from(indices)).toEqual([2n, 1n, 0n]);
  });

  it('refuses k larger than the columns: at build time when known, at run time otherwise', async () => {
    await expect(create({ ...options, k: 5 }, [{ name: 'p', datatype: 'FP32', shape: [-1, 4] }]))
      .rejects.toBeInstanceOf(PipelineMismatchError);
    const step = await create({ ...options, k: 5 }, [{ name: 'p', datatype: 'FP32', shape: [-1, -1] }]);
    expect(() => step.run({ p: { datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) } })).toThrow(BadInputError);
  });

  it('refuses the same name for both outputs', () => {
    expect(TopKOptionsSchema.safeParse({ ...options, outputIndices: 'v' }).success).toBe(false);
  });

  it('property: values are sorted descending and are the k largest of their row', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        // -0 is mapped to 0: top-k treats them as equal, toEqual would not.
        fc.array(fc.float({ noNaN: true, min: -1e6, max: 1e6 }).map((v) => (v === 0 ? 0 : v)), { minLength: 60, maxLength: 60 }),
        (rows, cols, kWanted, pool) => {
          const k = Math.min(kWanted, cols);
          const data = Float32Array.from({ length: rows * cols }, (_, i) => pool[i % pool.length]!);
          const { values, indices } = topK(data, rows, cols, k);
          for (let r = 0; r < rows; r++) {
            const row = Array.from(data.subarray(r * cols, (r + 1) * cols));
            const got = Array.from(values.subarray(r * k, (r + 1) * k));
            const expected = [...row].sort((a, b) => b - a).slice(0, k);
            expect(got).toEqual(expected);
            Array.from(indices.subarray(r * k, (r + 1) * k)).forEach((idx, p) => {
              expect(row[Number(idx)]).toBe(got[p]);
            });
            expect(new Set(indices.subarray(r * k, (r + 1) * k)).size).toBe(k);
          }
        },
      ),
    );
  });
});
