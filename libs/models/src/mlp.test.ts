import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TensorMap } from '@infermesh/contracts';
import { loadModelRepository } from '@infermesh/registry';
import { OnnxRuntime, runBatch, type LoadedModel } from '@infermesh/runtime';
import { buildMlpOnnx, mlpReference, mlpWeights } from './mlp.js';
import { decodeInitializers } from './onnx-graph.js';
import { mulberry32 } from './prng.js';
import { writeModelRepository } from './write-model-repository.js';

const DIMS = [64, 256, 256, 16];
let dir: string;
let model: LoadedModel;
const weights = mlpWeights({ dims: DIMS, seed: 42 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'im-mlp-'));
  await writeModelRepository({ out: dir, models: ['mlp'], mlpDims: DIMS, seed: 42 });
  const [entry] = await loadModelRepository(dir, { models: ['mlp'] });
  if (!entry) throw new Error('mlp not loaded');
  model = await new OnnxRuntime().load(entry);
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

function randomInput(rows: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: rows * 64 }, () => random() * 2 - 1);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('mlp', () => {
  it('is deterministic in its seed and Xavier-scaled', () => {
    expect(mlpWeights({ dims: DIMS, seed: 42 }).layers[0]?.weight).toEqual(weights.layers[0]?.weight);
    expect(mlpWeights({ dims: DIMS, seed: 7 }).layers[0]?.weight).not.toEqual(weights.layers[0]?.weight);
    const limit = Math.sqrt(6 / (64 + 256));
    expect(Math.max(...(weights.layers[0]?.weight ?? []).map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(() => mlpWeights({ dims: [64] })).toThrow(RangeError);
  });

  it('writes exactly its weights into the ONNX file', () => {
    const init = decodeInitializers(buildMlpOnnx(weights));
    expect(init.get('w0')).toEqual(weights.layers[0]?.weight);
    expect(init.get('b2')).toEqual(weights.layers[2]?.bias);
  });

  it('declares a symbolic batch dimension', () => {
    expect(model.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 64] }]);
    expect(model.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [-1, 16] }]);
  });

  it.each([1, 37])('matches the TypeScript reference on a batch of %i', async (rows) => {
    const input = randomInput(rows, rows);
    const out = await model.run({ input: { datatype: 'FP32', shape: [rows, 64], data: input } });
    expect(out.output?.shape).toEqual([rows, 16]);
    expect(maxAbsDiff(out.output?.data as Float32Array, mlpReference(weights, input, rows))).toBeLessThan(1e-4);
  });

  it('gives the same rows through runBatch as run one by one', async () => {
    const items: TensorMap[] = [1, 3, 2].map((rows, i) => ({
      input: { datatype: 'FP32', shape: [rows, 64], data: randomInput(rows, 100 + i) },
    }));
    const results = await runBatch(model, items);
    results.forEach((r, i) => {
      const input = items[i]?.input?.data as Float32Array;
      const rows = input.length / 64;
      expect(maxAbsDiff(r.output?.data as Float32Array, mlpReference(weights, input, rows))).toBeLessThan(1e-4);
    });
  });
});
