import { describe, expect, it } from 'vitest';
import type { Tensor, TensorMap } from '@infermesh/contracts';
import type { LoadedModel } from './model-runtime.js';
import { runBatch } from './run-batch.js';
import { RuntimeError } from './errors.js';

/** A model that sums its two inputs row-wise and counts its runs. */
function fakeModel(): LoadedModel & { runs: TensorMap[] } {
  const runs: TensorMap[] = [];
  return {
    runs,
    inputs: [],
    outputs: [],
    async run(inputs) {
      runs.push(inputs);
      const a = inputs.a as Tensor;
      const b = inputs.b as Tensor;
      const rows = a.shape[0] as number;
      const sum = new Float32Array(rows);
      for (let r = 0; r < rows; r++) sum[r] = ((a.data as Float32Array)[r * 2] ?? 0) + ((b.data as Float32Array)[r] ?? 0);
      return { sum: { datatype: 'FP32', shape: [rows], data: sum }, rowsSeen: { datatype: 'INT32', shape: [rows, 1], data: new Int32Array(rows).fill(rows) } };
    },
    async close() {},
  };
}

const item = (rows: number, base: number): TensorMap => ({
  a: { datatype: 'FP32', shape: [rows, 2], data: new Float32Array(rows * 2).map((_, i) => base + i) },
  b: { datatype: 'FP32', shape: [rows], data: new Float32Array(rows).fill(100) },
});

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RuntimeError) return e.code;
    throw e;
  }
  throw new Error('expected a RuntimeError');
}

describe('runBatch', () => {
  it('runs the model once for all items and gives each its own rows back', async () => {
    const model = fakeModel();
    const results = await runBatch(model, [item(1, 0), item(3, 10), item(2, 20)]);
    expect(model.runs).toHaveLength(1);
    expect(model.runs[0]?.a?.shape).toEqual([6, 2]);
    expect(results.map((r) => Array.from(r.sum?.data as Float32Array))).toEqual([[100], [110, 112, 114], [120, 122]]);
    expect(results.map((r) => r.rowsSeen?.shape)).toEqual([[1, 1], [3, 1], [2, 1]]);
  });

  it('passes a single item straight through and an empty list to nothing', async () => {
    const model = fakeModel();
    const one = item(2, 0);
    const [r] = await runBatch(model, [one]);
    expect(model.runs[0]).toBe(one);
    expect(r?.sum?.shape).toEqual([2]);
    expect(await runBatch(model, [])).toEqual([]);
  });

  it('runs a single item whose inputs differ in their first dimension as it is (a model that does not batch: [2, 2] and [3])', async () => {
    const model = fakeModel();
    const odd: TensorMap = { a: item(2, 0).a as Tensor, b: { datatype: 'FP32', shape: [3], data: new Float32Array(3) } };
    await runBatch(model, [odd]);
    expect(model.runs[0]).toBe(odd);
  });

  it('refuses items with other input names, disagreeing rows, or no rows', async () => {
    const model = fakeModel();
    expect(await rejection(runBatch(model, [item(1, 0), { a: item(1, 0).a as Tensor }]))).toBe('IM_RUNTIME_BAD_INPUT');
    expect(await rejection(runBatch(model, [item(1, 0), { a: item(2, 0).a as Tensor, b: item(1, 0).b as Tensor }]))).toBe(
      'IM_RUNTIME_SHAPE_MISMATCH',
    );
    expect(await rejection(runBatch(model, [item(1, 0), item(0, 0)]))).toBe('IM_RUNTIME_SHAPE_MISMATCH');
    expect(model.runs).toHaveLength(0);
  });

  it('refuses an output whose rows do not match the batch', async () => {
    const model: LoadedModel = {
      inputs: [],
      outputs: [],
      run: async () => ({ z: { datatype: 'FP32', shape: [1], data: new Float32Array(1) } }),
      close: async () => {},
    };
    expect(await rejection(runBatch(model, [item(1, 0), item(1, 0)]))).toBe('IM_RUNTIME_SHAPE_MISMATCH');
  });
});

describe('runBatch with dynamic shapes', () => {
  // A "model" that reports, per row, the width it was run at and the sum of the row.
  const widthModel = (): LoadedModel & { runs: number[][] } => {
    const runs: number[][] = [];
    return {
      runs,
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2, -1] }],
      outputs: [{ name: 'w', datatype: 'FP32', shape: [-1] }, { name: 's', datatype: 'FP32', shape: [-1] }],
      async run(inputs) {
        const x = inputs['x']!;
        const [rows, , width] = x.shape as [number, number, number];
        runs.push([...x.shape]);
        const w = new Float32Array(rows).fill(width);
        const s = new Float32Array(rows);
        for (let r = 0; r < rows; r++) for (let i = 0; i < 2 * width; i++) s[r]! += (x.data as Float32Array)[r * 2 * width + i]!;
        return { w: { datatype: 'FP32', shape: [rows], data: w }, s: { datatype: 'FP32', shape: [rows], data: s } };
      },
      async close() {},
    };
  };
  const item = (rows: number, width: number): TensorMap => ({
    x: { datatype: 'FP32', shape: [rows, 2, width], data: new Float32Array(rows * 2 * width).fill(1) },
  });

  it('runs once per shape bucket, answering each item from its own run', async () => {
    const model = widthModel();
    const out = await runBatch(model, [item(1, 3), item(2, 5), item(1, 3)]);
    expect(model.runs).toEqual([[2, 2, 3], [2, 2, 5]]);
    expect(out.map((o) => [...(o['w']!.data as Float32Array)])).toEqual([[3], [5, 5], [3]]);
  });

  it('pads the last axis to the widest with zeros and runs once', async () => {
    const model = widthModel();
    const out = await runBatch(model, [item(1, 3), item(2, 5), item(1, 4)], undefined, 'pad-last-axis');
    expect(model.runs).toEqual([[4, 2, 5]]);
    // Each row's sum is its own 2 × width ones: the padding added nothing.
    expect(out.map((o) => [...(o['s']!.data as Float32Array)])).toEqual([[6], [10, 10], [8]]);
    expect(out.map((o) => [...(o['w']!.data as Float32Array)])).toEqual([[5], [5, 5], [5]]);
  });
});
