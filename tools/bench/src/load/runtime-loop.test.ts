import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModelRepository } from '@infermesh/models';
import type * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlpRow } from '../payloads.js';
import { openRuntimeModel, runRuntimeLoop, type RuntimeModel } from './runtime-loop.js';

// The demo MLP as `npm start` builds it, in a real ONNX Runtime session.
describe('runRuntimeLoop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-runtime-loop-'));
  let model: RuntimeModel;
  beforeAll(async () => {
    await writeModelRepository({ out: dir, models: ['mlp'] });
    model = await openRuntimeModel(join(dir, 'mlp', '1', 'model.onnx'));
    expect(model.width).toBe(64);
  });
  afterAll(async () => {
    await model.session.release();
    rmSync(dir, { recursive: true, force: true });
  });
  const rows = Array.from({ length: 12 }, (_, i) => mlpRow(i));

  it('counts rows, not runs, and times each run', async () => {
    const r = await runRuntimeLoop(model, { batch: 4, rows, durationS: 0.3 });
    expect(r.errors).toBe(0);
    expect(r.ok).toBeGreaterThan(0);
    expect(r.ok % 4).toBe(0);
    expect(r.latency.count).toBe(r.ok / 4);
    expect(r.rps).toBeCloseTo(r.ok / r.durationS, 6);
    expect(r.latency.p50).toBeGreaterThan(0);
  });

  it('runs the given rows in turn, batch by batch, through the real session', async () => {
    const seen: Array<{ dims: readonly number[]; first: number }> = [];
    const outputs: number[] = [];
    const watched: RuntimeModel = {
      ...model,
      session: {
        run: (async (feeds: Record<string, ort.Tensor>) => {
          const t = feeds[model.inputName] as ort.Tensor;
          seen.push({ dims: t.dims, first: (t.data as Float32Array)[0] as number });
          const out = await model.session.run(feeds);
          outputs.push(Object.values(out)[0]?.dims[0] as number);
          return out;
        }) as RuntimeModel['session']['run'],
        release: () => Promise.resolve(),
      },
    };
    await runRuntimeLoop(watched, { batch: 4, rows, durationS: 0.1 });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every((s) => s.dims[0] === 4 && s.dims[1] === 64)).toBe(true);
    // Three distinct batches of the 12 rows, in turn: rows 0, 4, 8, then 0 again.
    expect(seen.slice(0, 4).map((s) => s.first)).toEqual([0, 4, 8, 0].map((i) => Math.fround(mlpRow(i)[0] as number)));
    expect(outputs.every((n) => n === 4)).toBe(true);
  });

  it('refuses a batch it cannot fill and rows of the wrong width', async () => {
    await expect(runRuntimeLoop(model, { batch: 0, rows, durationS: 0.1 })).rejects.toThrow(RangeError);
    await expect(runRuntimeLoop(model, { batch: 13, rows, durationS: 0.1 })).rejects.toThrow(/12 rows cannot fill a batch of 13/);
    await expect(runRuntimeLoop(model, { batch: 1, rows: [[1, 2, 3]], durationS: 0.1 })).rejects.toThrow(/3 values, the model takes 64/);
  });

  it('refuses a file that is not a model', async () => {
    await expect(openRuntimeModel(join(dir, 'mlp', 'manifest.yaml'))).rejects.toThrow();
  });
});
