import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TYPED_ARRAY_OF, type Datatype, type Tensor } from '@infermesh/contracts';
import { concatBatch, splitBatch } from './batch-tensors.js';
import { RuntimeError } from './errors.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof RuntimeError) return e.code;
    throw e;
  }
  return undefined;
};

const f32 = (shape: number[], values: number[]): Tensor => ({ datatype: 'FP32', shape, data: new Float32Array(values) });

describe('concatBatch / splitBatch', () => {
  it('stacks along dimension 0 and cuts back', () => {
    const a = f32([1, 2], [1, 2]);
    const b = f32([2, 2], [3, 4, 5, 6]);
    const batch = concatBatch([a, b]);
    expect(batch.shape).toEqual([3, 2]);
    expect(Array.from(batch.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(splitBatch(batch, [1, 2])).toEqual([a, b]);
  });

  it('returns a single tensor as it is', () => {
    const a = f32([1, 2], [1, 2]);
    expect(concatBatch([a])).toBe(a);
  });

  it('gives parts their own copy of the data', () => {
    const batch = f32([2, 1], [1, 2]);
    const [p] = splitBatch(batch, [1, 1]);
    (p?.data as Float32Array)[0] = 99;
    expect((batch.data as Float32Array)[0]).toBe(1);
  });

  it('handles BYTES and 64-bit tensors', () => {
    const s = concatBatch([
      { datatype: 'BYTES', shape: [1], data: ['a'] },
      { datatype: 'BYTES', shape: [2], data: ['b', 'c'] },
    ]);
    expect(s).toEqual({ datatype: 'BYTES', shape: [3], data: ['a', 'b', 'c'] });
    const i = concatBatch([
      { datatype: 'INT64', shape: [1], data: new BigInt64Array([1n]) },
      { datatype: 'INT64', shape: [1], data: new BigInt64Array([2n]) },
    ]);
    expect(i.data).toEqual(new BigInt64Array([1n, 2n]));
  });

  it('refuses mismatched datatypes, trailing dims, ranks, scalars and empty lists', () => {
    expect(code(() => concatBatch([]))).toBe('IM_RUNTIME_BAD_INPUT');
    expect(code(() => concatBatch([f32([1, 2], [1, 2]), { datatype: 'FP64', shape: [1, 2], data: new Float64Array(2) }]))).toBe(
      'IM_RUNTIME_DATATYPE_MISMATCH',
    );
    expect(code(() => concatBatch([f32([1, 2], [1, 2]), f32([1, 3], [1, 2, 3])]))).toBe('IM_RUNTIME_SHAPE_MISMATCH');
    expect(code(() => concatBatch([f32([1, 2], [1, 2]), f32([2], [1, 2])]))).toBe('IM_RUNTIME_SHAPE_MISMATCH');
    expect(code(() => concatBatch([f32([], [1])]))).toBe('IM_RUNTIME_SHAPE_MISMATCH');
    expect(code(() => splitBatch(f32([2, 1], [1, 2]), [1]))).toBe('IM_RUNTIME_SHAPE_MISMATCH');
    expect(code(() => splitBatch(f32([2, 1], [1, 2]), [3, -1]))).toBe('IM_RUNTIME_BAD_INPUT');
  });

  it('split(concat(xs), rows(xs)) equals xs for any datatype and shape', () => {
    const datatypes: Datatype[] = ['FP32', 'FP64', 'INT32', 'INT64', 'UINT8', 'BOOL', 'INT8', 'INT16', 'UINT16', 'BYTES'];
    const arb = fc
      .record({
        datatype: fc.constantFrom(...datatypes),
        tail: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
        rows: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 8 }),
        seed: fc.integer(),
      })
      .map(({ datatype, tail, rows, seed }) =>
        rows.map((r, i) => {
          const shape = [r, ...tail];
          const n = shape.reduce((a, b) => a * b, 1);
          const values = Array.from({ length: n }, (_, k) => Math.abs((seed + i * 31 + k * 7) % 100));
          let data: Tensor['data'];
          if (datatype === 'BYTES') data = values.map(String);
          else if (datatype === 'INT64') data = new BigInt64Array(values.map(BigInt));
          else data = new (TYPED_ARRAY_OF[datatype] as Float64ArrayConstructor)(values.map((v) => (datatype === 'BOOL' ? v % 2 : v)));
          return { datatype, shape, data } as Tensor;
        }),
      );
    fc.assert(
      fc.property(arb, (xs) => {
        const rows = xs.map((x) => x.shape[0] as number);
        expect(splitBatch(concatBatch(xs), rows)).toEqual(xs);
      }),
    );
  });
});
