import { ModelSpecSchema, type Tensor } from '@infermesh/contracts';
import { describe, expect, it } from 'vitest';
import { responseCacheKey } from './response-cache-key.js';

const spec = ModelSpecSchema.parse({
  name: 'm', version: '1',
  inputs: [{ name: 'a', datatype: 'FP32', shape: [-1, 2] }, { name: 'b', datatype: 'BYTES', shape: [-1] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
});
const f32 = (...v: number[]): Tensor => ({ datatype: 'FP32', shape: [1, v.length], data: Float32Array.from(v) });
const text = (...v: string[]): Tensor => ({ datatype: 'BYTES', shape: [v.length], data: v });
const key = (inputs: Record<string, Tensor>, parameters = {}, outputs: string[] = [], s = spec) =>
  responseCacheKey(s, { inputs, parameters, outputs });

describe('responseCacheKey', () => {
  it('is the same for the same request, whatever the order of inputs and parameters', () => {
    expect(key({ a: f32(1, 2), b: text('x') }, { p: 1, q: 'z' })).toBe(key({ b: text('x'), a: f32(1, 2) }, { q: 'z', p: 1 }));
  });

  it('changes with any input byte, shape, datatype, parameter, requested output, model or version', () => {
    const base = key({ a: f32(1, 2), b: text('x') });
    const variants = [
      key({ a: f32(1, 2.0001), b: text('x') }),
      key({ a: { ...f32(1, 2), shape: [2, 1] }, b: text('x') }),
      key({ a: { datatype: 'INT32', shape: [1, 2], data: Int32Array.from([1, 2]) }, b: text('x') }),
      key({ a: f32(1, 2), b: text('y') }),
      key({ a: f32(1, 2), b: text('x', '') }),
      key({ a: f32(1, 2), b: text('x') }, { temperature: 0.5 }),
      key({ a: f32(1, 2), b: text('x') }, {}, ['y']),
      key({ a: f32(1, 2), b: text('x') }, {}, [], { ...spec, version: '2' }),
      key({ a: f32(1, 2), b: text('x') }, {}, [], { ...spec, name: 'n' }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('ignores parameters that only change how a request is served', () => {
    expect(key({ a: f32(1) }, { timeout_ms: 5, priority: 2 })).toBe(key({ a: f32(1) }));
  });

  it('reads a typed array view by its own bytes, not its whole buffer', () => {
    const buffer = new Float32Array([9, 1, 2, 9]);
    const view: Tensor = { datatype: 'FP32', shape: [1, 2], data: buffer.subarray(1, 3) };
    expect(key({ a: view })).toBe(key({ a: f32(1, 2) }));
  });
});
