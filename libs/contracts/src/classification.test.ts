import { describe, expect, it } from 'vitest';
import { classificationRequests, classifyTensor } from './classification.js';
import { ApiError } from './errors.js';
import { ModelSpecSchema } from './model-spec.js';

const spec = ModelSpecSchema.parse({
  name: 'clf', version: '1',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'p', datatype: 'FP32', shape: [-1, 4] }, { name: 'label', datatype: 'BYTES', shape: [-1] }],
});

describe('classifyTensor (Triton classification extension)', () => {
  it('ranks each row, highest first, as "value:index:label" with %f values', () => {
    const t = { datatype: 'FP32' as const, shape: [2, 4], data: Float32Array.from([1, 5, 10, 4, 0.25, 0.5, 0.125, 0.125]) };
    const out = classifyTensor(t, 2, ['a', 'b', 'c', 'd']);
    expect(out).toEqual({ datatype: 'BYTES', shape: [2, 2], data: ['10.000000:2:c', '5.000000:1:b', '0.500000:1:b', '0.250000:0:a'] });
  });

  it('omits the label where none is known, keeps ties in index order, caps the count at the classes', () => {
    const t = { datatype: 'INT32' as const, shape: [3], data: Int32Array.from([7, 9, 7]) };
    expect(classifyTensor(t, 5, ['only-first'])).toEqual({ datatype: 'BYTES', shape: [3], data: ['9:1', '7:0:only-first', '7:2'] });
  });

  it('writes 64-bit integers exactly', () => {
    const t = { datatype: 'INT64' as const, shape: [1, 2], data: BigInt64Array.from([9007199254740993n, -1n]) };
    expect(classifyTensor(t, 1).data).toEqual(['9007199254740993:0']);
  });

  it('refuses datatypes Triton does not rank', () => {
    expect(() => classifyTensor({ datatype: 'BYTES', shape: [1], data: ['x'] }, 1)).toThrow(ApiError);
  });
});

describe('classificationRequests', () => {
  it('collects the outputs asked for, checked before any work', () => {
    const request = { inputs: [], outputs: [{ name: 'p', parameters: { classification: 3 } }, { name: 'label' }] };
    expect(classificationRequests(spec, request as never)).toEqual([{ output: 'p', count: 3 }]);
  });

  it('refuses a count that is not a positive integer (400 IM_BAD_REQUEST) and a BYTES output (IM_INVALID_INPUT)', () => {
    for (const bad of [0, -1, 1.5, 'two', true]) {
      expect(() => classificationRequests(spec, { inputs: [], outputs: [{ name: 'p', parameters: { classification: bad } }] } as never))
        .toThrow(expect.objectContaining({ code: 'IM_BAD_REQUEST' }));
    }
    expect(() => classificationRequests(spec, { inputs: [], outputs: [{ name: 'label', parameters: { classification: 1 } }] } as never))
      .toThrow(expect.objectContaining({ code: 'IM_INVALID_INPUT' }));
  });
});
