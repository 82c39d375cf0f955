import { describe, expect, it } from 'vitest';
import { joinBinaryBody, splitBinaryBody, tensorFromBinary, tensorToBinary } from './binary-tensor.js';

// Byte for byte from Triton's docs/protocol/extension_binary_data.md: little-endian, row-major, no padding;
// BOOL one byte; BYTES a 4-byte little-endian length then the bytes, per element.
describe('binary tensor data extension', () => {
  it('decodes a UINT32 [2, 2] input of 16 bytes, as the spec\'s request example sends it', () => {
    const bytes = Uint8Array.of(1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff);
    const t = tensorFromBinary('input0', 'UINT32', [2, 2], bytes);
    expect(t.data).toBeInstanceOf(Uint32Array);
    expect([...(t.data as Uint32Array)]).toEqual([1, 2, 3, 4_294_967_295]);
  });

  it('decodes FP32 little-endian from an unaligned offset in the body', () => {
    const body = Uint8Array.of(9, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0); // 1.0, -2.0 after one byte
    const t = tensorFromBinary('x', 'FP32', [2], body.subarray(1));
    expect([...(t.data as Float32Array)]).toEqual([1, -2]);
  });

  it('decodes from a Node Buffer into a tensor of its own buffer (a Buffer\'s slice shares the pool: bug)', () => {
    const body = Buffer.from([7, 7, 0, 0, 0x80, 0x3f]);
    const t = tensorFromBinary('x', 'FP32', [1], body.subarray(2));
    expect([...(t.data as Float32Array)]).toEqual([1]);
    expect((t.data as Float32Array).buffer.byteLength).toBe(4);
  });

  it('decodes BYTES with the 4-byte little-endian length prefix', () => {
    const bytes = Uint8Array.of(5, 0, 0, 0, 104, 101, 108, 108, 111, 0, 0, 0, 0, 2, 0, 0, 0, 0xc3, 0xa9);
    expect(tensorFromBinary('text', 'BYTES', [3], bytes).data).toEqual(['hello', '', 'é']);
  });

  it('refuses a size that is not elements × bytes per element, naming the input', () => {
    expect(() => tensorFromBinary('x', 'FP32', [2], new Uint8Array(7))).toThrow(/input 'x': binary data of 7 bytes, FP32 \[2\] needs 8/);
    expect(() => tensorFromBinary('x', 'BYTES', [2], Uint8Array.of(1, 0, 0, 0, 65))).toThrow(/1 BYTES elements/);
    expect(() => tensorFromBinary('x', 'BYTES', [1], Uint8Array.of(9, 0, 0, 0, 65))).toThrow(/claims 9 bytes/);
    expect(() => tensorFromBinary('x', 'BYTES', [1], Uint8Array.of(1, 0))).toThrow(/truncated/);
    expect(() => tensorFromBinary('x', 'BYTES', [1], Uint8Array.of(1, 0, 0, 0, 0xff))).toThrow(/UTF-8/);
    expect(() => tensorFromBinary('x', 'BOOL', [1], Uint8Array.of(2))).toThrow(/BOOL/);
    expect(() => tensorFromBinary('x', 'FP32', [2], new Uint8Array(7))).toThrow(expect.objectContaining({ code: 'IM_INVALID_INPUT' }));
  });

  it('encodes outputs as the extension writes them', () => {
    expect([...tensorToBinary({ datatype: 'FP32', shape: [2], data: Float32Array.of(1, -2) })]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
    expect([...tensorToBinary({ datatype: 'BYTES', shape: [2], data: ['hi', 'é'] })]).toEqual([2, 0, 0, 0, 104, 105, 2, 0, 0, 0, 0xc3, 0xa9]);
    const sub = Float32Array.of(0, 1, 2).subarray(1, 2);
    expect([...tensorToBinary({ datatype: 'FP32', shape: [1], data: sub })]).toEqual([0, 0, 0x80, 0x3f]);
  });

  it('splits and joins a body: JSON header of Inference-Header-Content-Length bytes, then the binary parts in order', () => {
    const header = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 4 } }] };
    const { body, headerLength } = joinBinaryBody(header, [Uint8Array.of(0, 0, 0x80, 0x3f), Uint8Array.of(7)]);
    const json = JSON.stringify(header);
    expect(headerLength).toBe(json.length);
    expect(Buffer.from(body).toString('latin1')).toBe(`${json}\u0000\u0000\u0080\u003f\u0007`);
    const split = splitBinaryBody(body, headerLength);
    expect(split.header).toEqual(header);
    expect([...split.binary]).toEqual([0, 0, 0x80, 0x3f, 7]);
    expect(() => splitBinaryBody(body, body.length + 1)).toThrow(/does not fit/);
    expect(() => splitBinaryBody(body, 3)).toThrow(/not JSON/);
  });
});

describe('raw BYTES elements', () => {
  it('holds an element that is not UTF-8 as base64 text when the input is raw bytes', () => {
    const png = Uint8Array.of(4, 0, 0, 0, 0x89, 0x50, 0x4e, 0x47);
    expect(() => tensorFromBinary('image', 'BYTES', [1], png)).toThrow(/UTF-8/);
    expect(tensorFromBinary('image', 'BYTES', [1], png, 'base64').data).toEqual([Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64')]);
  });
});
