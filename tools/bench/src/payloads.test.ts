import { describe, expect, it } from 'vitest';
import { binaryInputs, splitBinaryBody, type InferInputJson } from '@infermesh/contracts';
import { mlpBinaryBodies, mlpHttpBodies, mlpRowBytes, sentimentHttpBody, sentimentTexts } from './payloads.js';

const VOCABULARY = ['good', 'bad', 'does not work', 'great', "can't stand", 'awful'];

describe('sentimentTexts', () => {
  it('gives distinct texts of exactly N words from one-word terms, the same for the same seed', () => {
    const texts = sentimentTexts(VOCABULARY, 50, 100, 3);
    expect(new Set(texts).size).toBe(100);
    for (const t of texts) {
      const words = t.split(' ');
      expect(words).toHaveLength(50);
      for (const w of words.slice(1)) expect(['good', 'bad', 'great', 'awful']).toContain(w);
    }
    expect(sentimentTexts(VOCABULARY, 50, 100, 3)).toEqual(texts);
    expect(sentimentTexts(VOCABULARY, 50, 100, 4)).not.toEqual(texts);
  });
  it('keeps one-word texts distinct too, and refuses a length below one word', () => {
    expect(new Set(sentimentTexts(VOCABULARY, 1, 10)).size).toBe(10);
    expect(() => sentimentTexts(VOCABULARY, 0, 1)).toThrow(RangeError);
  });
  it('wraps a text as the protocol request of one BYTES row', () => {
    expect(JSON.parse(sentimentHttpBody('so good'))).toEqual({ inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['so good'] }] });
  });
});

describe('mlpBinaryBodies', () => {
  const bodies = mlpBinaryBodies(3);
  const json = mlpHttpBodies(3).map((b) => JSON.parse(b).inputs[0].data as number[]);

  it('writes each input as 64 little-endian FP32 values after a JSON header of headerLength bytes', () => {
    for (const [i, { body, headerLength }] of bodies.entries()) {
      const header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
      expect(header).toEqual({
        inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], parameters: { binary_data_size: 256 } }],
        parameters: { binary_data_output: true },
      });
      expect(body.length).toBe(headerLength + 256);
      const values = Array.from({ length: 64 }, (_, k) => body.readFloatLE(headerLength + k * 4));
      // The same inputs as the JSON bodies, as FP32 holds them.
      expect(values).toEqual(Array.from(Float32Array.from(json[i]!)));
    }
    expect(new Set(bodies.map((b) => b.body.toString('hex'))).size).toBe(3);
  });

  it('is read back by the protocol codec the coordinator uses', () => {
    const { body, headerLength } = bodies[2]!;
    const { header, binary } = splitBinaryBody(body, headerLength);
    const tensors = binaryInputs((header as { inputs: InferInputJson[] }).inputs, binary);
    expect(tensors.get('input')?.shape).toEqual([1, 64]);
    expect(Array.from(tensors.get('input')?.data as Float32Array)).toEqual(Array.from(Float32Array.from(json[2]!)));
  });

  it('gives the raw bytes of a row alone, for gRPC raw_input_contents', () => {
    expect(mlpRowBytes(1).equals(bodies[1]!.body.subarray(bodies[1]!.headerLength))).toBe(true);
    expect(mlpRowBytes(1).equals(mlpRowBytes(2))).toBe(false);
  });
});
