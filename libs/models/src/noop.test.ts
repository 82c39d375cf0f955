import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TensorMap } from '@infermesh/contracts';
import { loadModelRepository } from '@infermesh/registry';
import { JsRuntime, runBatch, type LoadedModel } from '@infermesh/runtime';
import { writeModelRepository } from './write-model-repository.js';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'im-noop-'));
  await writeModelRepository({ out: dir, models: ['noop'] });
  const [entry] = await loadModelRepository(dir);
  if (!entry) throw new Error('noop not loaded');
  expect(entry.file).toBe(join(dir, 'noop', '1', 'model.mjs'));
  model = await new JsRuntime().load(entry);
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

const item = (rows: number, start: number): TensorMap => ({
  input: { datatype: 'FP32', shape: [rows, 4], data: Float32Array.from({ length: rows * 4 }, (_, i) => start + i) },
});

describe('noop', () => {
  it.each([1, 37])('returns a batch of %i unchanged', async (rows) => {
    const inputs = item(rows, 0);
    const out = await model.run(inputs);
    expect(out.output).toEqual(inputs.input);
  });

  it('returns each item its own rows through runBatch', async () => {
    const items = [item(1, 0), item(36, 100)];
    const results = await runBatch(model, items);
    expect(results.map((r) => r.output)).toEqual(items.map((i) => i.input));
  });
});
