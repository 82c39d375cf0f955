import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TensorMap } from '@infermesh/contracts';
import { defaultCatalog } from '../default-catalog.js';
import { BadInputError, PipelineMismatchError, StepFailedError } from '../errors.js';
import { buildPipeline } from '../pipeline.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'im-ocr-steps-'));
  await writeFile(path.join(dir, 'keys.txt'), 'a\nb\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const image = (base64: string): TensorMap => ({ image: { datatype: 'BYTES', shape: [1], data: [base64] } });

describe('OCR steps in a pipeline', () => {
  it('decodes a base64 image into the detector\'s input and the RGB image; run() refuses an asynchronous pipeline', async () => {
    const pipeline = await buildPipeline([{ step: 'ocr-detector-input' }], defaultCatalog(), { dir }, [{ name: 'image', datatype: 'BYTES', shape: [-1] }]);
    expect(pipeline.async).toBe(true);
    const png = await sharp({ create: { width: 70, height: 20, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const out = await pipeline.runAsync(image(png.toString('base64')));
    expect(out['x']?.shape).toEqual([1, 3, 32, 64]);
    expect(out['rgb']?.shape).toEqual([1, 20, 70, 3]);
    expect(() => pipeline.run(image(png.toString('base64')))).toThrow(StepFailedError);
    await expect(pipeline.runAsync(image('%%%'))).rejects.toThrow(/not base64/);
    await expect(pipeline.runAsync({ image: { datatype: 'BYTES', shape: [2], data: ['', ''] } })).rejects.toBeInstanceOf(BadInputError);
  });

  it('finds boxes in a probability map and cuts their lines for the recognizer', async () => {
    const pipeline = await buildPipeline(
      [{ step: 'ocr-boxes', options: { input: 'map' } }, { step: 'ocr-crop-lines' }],
      defaultCatalog(), { dir },
      [{ name: 'map', datatype: 'FP32', shape: [-1, 1, -1, -1] }, { name: 'rgb', datatype: 'UINT8', shape: [-1, -1, -1, 3] }],
    );
    // A 64 × 32 map (of a 128 × 64 image) with two text blocks, the lower one shorter.
    const map = new Float32Array(64 * 32);
    const block = (x0: number, y0: number, x1: number, y1: number) => { for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) map[y * 64 + x] = 0.9; };
    block(10, 4, 50, 10);
    block(10, 20, 30, 26);
    const out = await pipeline.runAsync({
      map: { datatype: 'FP32', shape: [1, 1, 32, 64], data: map },
      rgb: { datatype: 'UINT8', shape: [1, 64, 128, 3], data: new Uint8Array(64 * 128 * 3).fill(255) },
    });
    expect(out['boxes']?.shape).toEqual([2, 4, 2]);
    expect(out['box_scores']?.shape).toEqual([2]);
    const widths = [...(out['line_widths']?.data as Int32Array)];
    expect(widths[0]).toBeGreaterThan(widths[1]!);
    expect(out['lines']?.shape).toEqual([2, 3, 48, Math.max(320, widths[0]!)]);
  });

  it('answers no boxes and no lines for an empty map', async () => {
    const pipeline = await buildPipeline(
      [{ step: 'ocr-boxes', options: { input: 'map' } }, { step: 'ocr-crop-lines' }], defaultCatalog(), { dir },
      [{ name: 'map', datatype: 'FP32', shape: [-1, 1, -1, -1] }, { name: 'rgb', datatype: 'UINT8', shape: [-1, -1, -1, 3] }],
    );
    const out = await pipeline.runAsync({
      map: { datatype: 'FP32', shape: [1, 1, 32, 32], data: new Float32Array(1024) },
      rgb: { datatype: 'UINT8', shape: [1, 32, 32, 3], data: new Uint8Array(32 * 32 * 3) },
    });
    expect(out['boxes']?.shape).toEqual([0, 4, 2]);
    expect(out['lines']?.shape).toEqual([0, 3, 48, 320]);
  });

  it('decodes CTC rows with the model folder\'s character list, each cut to its own width', async () => {
    const spec = [{ name: 'probs', datatype: 'FP32' as const, shape: [-1, -1, 4] }, { name: 'widths', datatype: 'INT32' as const, shape: [-1] }];
    const pipeline = await buildPipeline([{ step: 'ctc-decode', options: { input: 'probs', characters: 'keys.txt', widths: 'widths', stride: 8 } }], defaultCatalog(), { dir }, spec);
    // Classes: blank, a, b, space. Row 0 reads "ab a" over 4 steps; row 1 reads "b" in its own 8 columns, then padding says "a".
    const hot = (c: number) => [0, 1, 2, 3].map((k) => (k === c ? 0.97 : 0.01));
    const probs = Float32Array.from([...hot(1), ...hot(2), ...hot(3), ...hot(1), ...hot(2), ...hot(1), ...hot(1), ...hot(1)]);
    const out = pipeline.run({ probs: { datatype: 'FP32', shape: [2, 4, 4], data: probs }, widths: { datatype: 'INT32', shape: [2], data: Int32Array.of(32, 8) } });
    expect(out['text']?.data).toEqual(['ab a', 'b']);
    expect([...(out['score']?.data as Float32Array)].map((v) => Math.round(v * 100) / 100)).toEqual([0.97, 0.97]);
    await expect(buildPipeline([{ step: 'ctc-decode', options: { input: 'probs', characters: 'keys.txt' } }], defaultCatalog(), { dir }, [{ name: 'probs', datatype: 'FP32', shape: [-1, -1, 6625] }]))
      .rejects.toBeInstanceOf(PipelineMismatchError);
  });
});
