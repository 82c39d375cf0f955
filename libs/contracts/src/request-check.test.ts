import { describe, expect, it } from 'vitest';
import { ApiError, ModelSpecSchema, decodeInferRequest, type InferRequestJson } from './index.js';

const spec = ModelSpecSchema.parse({
  name: 'mlp',
  version: '1',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 2] }],
  outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 1] }],
  batching: { maxBatchSize: 4 },
});
const limits = { maxElements: 100 };

function message(req: InferRequestJson): string {
  try {
    decodeInferRequest(spec, req, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('IM_INVALID_INPUT');
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

const input = (over: Partial<InferRequestJson['inputs'][number]> = {}) => ({
  name: 'input', datatype: 'FP32' as const, shape: [2, 2], data: [1, 2, 3, 4], ...over,
});

describe('decodeInferRequest', () => {
  it('decodes a fitting request and counts its rows', () => {
    const d = decodeInferRequest(spec, { inputs: [input()], outputs: [{ name: 'output' }] }, limits);
    expect(d.rows).toBe(2);
    expect(d.outputs).toEqual(['output']);
    expect(Array.from(d.inputs.input!.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it.each([
    [{ inputs: [input({ name: 'x' })] }, /has no input 'x'/],
    [{ inputs: [input({ datatype: 'INT32' })] }, /must be FP32, got INT32/],
    [{ inputs: [input({ shape: [1, 3], data: [1, 2, 3] })] }, /shape \[1, 3\], model expects \[-1, 2\]/],
    [{ inputs: [input({ shape: [5, 2], data: new Array(10).fill(0) })] }, /5 rows, model 'mlp' takes at most 4/],
    [{ inputs: [input(), input()] }, /more than once/],
    [{ inputs: [input()], outputs: [{ name: 'nope' }] }, /no output 'nope'/],
  ] as Array<[InferRequestJson, RegExp]>)('refuses %j', (req, why) => {
    expect(message(req)).toMatch(why);
  });

  it('refuses a request over the element limit before decoding it', () => {
    expect(() => decodeInferRequest(spec, { inputs: [input()] }, { maxElements: 3 })).toThrow(/more than 3 tensor elements/);
  });
});
