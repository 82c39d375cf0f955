import { describe, expect, it } from 'vitest';
import { ModelSpecSchema } from './model-spec.js';
import { rawBinaryRequest } from './raw-binary-request.js';

const model = (inputs: unknown[], batchable = true) =>
  ModelSpecSchema.parse({ name: 'm', version: '1', batchable, inputs, outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }] });

describe('rawBinaryRequest (Inference-Header-Content-Length: 0)', () => {
  it('takes the body as one row of a batching model\'s only input, every output as binary data', () => {
    const body = new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer);
    const { request, binary } = rawBinaryRequest(model([{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]), body);
    expect(request).toEqual({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }], parameters: { binary_data_output: true } });
    expect(Array.from(binary.get('x')!.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('deduces the one dimension of any size from the byte size (Triton\'s 16-byte example)', () => {
    const body = new Uint8Array(16);
    expect(rawBinaryRequest(model([{ name: 'x', datatype: 'INT32', shape: [-1] }], false), body).request.inputs[0]!.shape).toEqual([4]);
    expect(rawBinaryRequest(model([{ name: 'x', datatype: 'UINT8', shape: [-1, -1] }]), body).request.inputs[0]!.shape).toEqual([1, 16]);
  });

  it('takes a BYTES body as the one element of shape [1], without a length prefix', () => {
    const { binary } = rawBinaryRequest(model([{ name: 'text', datatype: 'BYTES', shape: [-1] }]), new TextEncoder().encode('what a day'));
    expect(binary.get('text')).toEqual({ datatype: 'BYTES', shape: [1], data: ['what a day'] });
  });

  it('refuses a model of two inputs, a size that does not fit, and two free dimensions, with IM_INVALID_INPUT', () => {
    const two = model([{ name: 'a', datatype: 'FP32', shape: [-1, 1] }, { name: 'b', datatype: 'FP32', shape: [-1, 1] }]);
    for (const [spec, size] of [
      [two, 4], [model([{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]), 12], [model([{ name: 'x', datatype: 'FP32', shape: [-1, 4] }]), 6],
      [model([{ name: 'x', datatype: 'FP32', shape: [-1, -1] }], false), 8], [model([{ name: 't', datatype: 'BYTES', shape: [-1, 2] }]), 3],
    ] as const) {
      expect(() => rawBinaryRequest(spec, new Uint8Array(size)), `${spec.inputs.map((i) => i.shape.join(',')).join(';')} ${size}`).toThrow(expect.objectContaining({ code: 'IM_INVALID_INPUT' }));
    }
  });
});
