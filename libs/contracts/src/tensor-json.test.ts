import { describe, expect, it } from 'vitest';
import { ApiError, TensorSchema, tensorFromJson, tensorToJson } from './index.js';

describe('tensorFromJson', () => {
  it('flattens nested row-major data into the datatype typed array', () => {
    const t = tensorFromJson({ name: 'x', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4.5]] });
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3, 4.5]);
    expect(t.shape).toEqual([2, 2]);
  });

  it('refuses a data length that does not fit the shape', () => {
    expect(() => tensorFromJson({ name: 'x', datatype: 'FP32', shape: [3], data: [1, 2] })).toThrow(
      /data has 2 elements, shape \[3\] needs 3/,
    );
  });

  it.each([
    ['INT8', [200]],
    ['UINT8', [-1]],
    ['INT32', [1.5]],
    ['FP32', ['a']],
    ['BYTES', [1]],
    ['INT64', [2 ** 60]],
  ] as const)('refuses %s element %j with IM_INVALID_INPUT', (datatype, data) => {
    try {
      tensorFromJson({ name: 'x', datatype, shape: [1], data: [...data] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe('IM_INVALID_INPUT');
    }
  });

  it('refuses FP32 values past the FP32 range, non-integers for integer types and invalid UTF-8, naming the input and index', () => {
    const t = (datatype: string, data: unknown[]) => () => tensorFromJson({ name: 'x', datatype, shape: [data.length], data } as never);
    expect(t('FP32', [1, 1e39])).toThrow(/input 'x': element 1 \(1e\+39\) is out of the FP32 range/);
    expect(t('FP32', [-3.5e38])).toThrow(/out of the FP32 range/);
    expect(t('FP32', [3.4e38])).not.toThrow();
    expect(t('INT8', [1.5])).toThrow(/element 0 \(1\.5\) is not a INT8 value/);
    expect(t('UINT64', [-1])).toThrow(/element 0 is not a UINT64 integer/);
    expect(t('FP32', ['NaN'])).toThrow(/element 0 is not a finite number/);
    expect(t('BYTES', ['ok', '\ud800'])).toThrow(/element 1 is not valid UTF-8/);
    expect(t('BYTES', ['\ud83d\ude00'])).not.toThrow();
  });

  it('writes non-finite float outputs as strings, never null', () => {
    const out = tensorToJson('y', { datatype: 'FP32', shape: [4], data: new Float32Array([1.5, Number.NaN, Infinity, -Infinity]) });
    expect(JSON.parse(JSON.stringify(out)).data).toEqual([1.5, 'NaN', 'Infinity', '-Infinity']);
  });

  it('round-trips BOOL, INT64 and BYTES through the JSON form', () => {
    const b = tensorFromJson({ name: 'b', datatype: 'BOOL', shape: [3], data: [true, false, 1] });
    expect(tensorToJson('b', b).data).toEqual([true, false, true]);
    const i = tensorFromJson({ name: 'i', datatype: 'INT64', shape: [2], data: [-5, 9007199254740991] });
    expect(tensorToJson('i', i).data).toEqual([-5, 9007199254740991]);
    const s = tensorFromJson({ name: 's', datatype: 'BYTES', shape: [2], data: ['a', 'b'] });
    expect(tensorToJson('s', s)).toEqual({ name: 's', datatype: 'BYTES', shape: [2], data: ['a', 'b'] });
  });
});

describe('TensorSchema', () => {
  it('accepts a tensor whose typed array matches datatype and shape', () => {
    expect(TensorSchema.safeParse({ datatype: 'FP32', shape: [1, 2], data: new Float32Array(2) }).success).toBe(true);
  });
  it('refuses a typed array of the wrong class or length', () => {
    expect(TensorSchema.safeParse({ datatype: 'FP32', shape: [2], data: new Float64Array(2) }).success).toBe(false);
    expect(TensorSchema.safeParse({ datatype: 'FP32', shape: [3], data: new Float32Array(2) }).success).toBe(false);
  });
});
