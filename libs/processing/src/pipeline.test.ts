import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TensorSpec } from '@infermesh/contracts';
import { StepCatalog } from './catalog.js';
import { defaultCatalog } from './default-catalog.js';
import {
  BadInputError, InvalidOptionsError, PipelineMismatchError, StepFailedError, UnknownStepError,
} from './errors.js';
import { buildPipeline } from './pipeline.js';

describe('buildPipeline', () => {
  let dir: string;
  const text: TensorSpec[] = [{ name: 'text', datatype: 'BYTES', shape: [-1] }];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'im-pipeline-'));
    await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(['good', 'bad', 'does not work']));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('chains tokenize → normalize → softmax → top-k → argmax-label and runs a batch', async () => {
    const pipeline = await buildPipeline(
      [
        { step: 'tokenize', options: { vocabulary: 'vocab.json', input: 'text', output: 'counts' } },
        { step: 'normalize@1', options: { input: 'counts', output: 'scores', mean: 0, std: 0.5 } },
        { step: 'softmax', options: { input: 'scores', output: 'probs' } },
        { step: 'top-k', options: { input: 'probs', k: 1, outputValues: 'confidence', outputIndices: 'class' } },
        { step: 'argmax-label', options: { input: 'probs', output: 'label', labels: ['good', 'bad', 'broken'] } },
      ],
      defaultCatalog(),
      { dir },
      text,
    );
    expect(pipeline.steps.map((s) => s.step)).toEqual([
      'tokenize@1.0.0', 'normalize@1.0.0', 'softmax@1.0.0', 'top-k@1.0.0', 'argmax-label@1.0.0',
    ]);
    expect(pipeline.outputs).toEqual([
      { name: 'text', datatype: 'BYTES', shape: [-1] },
      { name: 'counts', datatype: 'FP32', shape: [-1, 3] },
      { name: 'scores', datatype: 'FP32', shape: [-1, 3] },
      { name: 'probs', datatype: 'FP32', shape: [-1, 3] },
      { name: 'confidence', datatype: 'FP32', shape: [-1, 1] },
      { name: 'class', datatype: 'INT64', shape: [-1, 1] },
      { name: 'label', datatype: 'BYTES', shape: [-1] },
    ]);
    const out = pipeline.run({ text: { datatype: 'BYTES', shape: [3], data: ['good GOOD', 'bad', 'it does not work'] } });
    expect(out['label']?.data).toEqual(['good', 'bad', 'broken']);
    expect(Array.from(out['class']?.data as BigInt64Array)).toEqual([0n, 1n, 2n]);
    // Row 0: scores [4, 0, 0] → softmax e^4 / (e^4 + 2).
    expect((out['confidence']?.data as Float32Array)[0]).toBeCloseTo(Math.exp(4) / (Math.exp(4) + 2), 6);
  });

  it('refuses a step whose input no earlier step produced, naming step, tensor and what was there', async () => {
    const error = await buildPipeline(
      [
        { step: 'tokenize', options: { vocabulary: 'vocab.json', input: 'text', output: 'counts' } },
        { step: 'softmax', options: { input: 'logits', output: 'probs' } },
      ],
      defaultCatalog(), { dir }, text,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineMismatchError);
    const mismatch = error as PipelineMismatchError;
    expect(mismatch.code).toBe('IM_PROCESSING_PIPELINE_MISMATCH');
    expect(mismatch.step).toBe('softmax@1.0.0');
    expect(mismatch.tensor).toBe('logits');
    expect(mismatch.actual).toBeUndefined();
    expect(mismatch.message).toBe(
      "step 2 'softmax@1.0.0': input 'logits' FP32 [-1, -1] is not available; " +
        "available: 'text' BYTES [-1], 'counts' FP32 [-1, 3]",
    );
  });

  it('refuses a step fed the wrong datatype', async () => {
    const error = await buildPipeline(
      [{ step: 'softmax', options: { input: 'text', output: 'probs' } }], defaultCatalog(), { dir }, text,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineMismatchError);
    expect((error as PipelineMismatchError).actual).toEqual(text[0]);
    expect((error as Error).message).toMatch(/input 'text' FP32 \[-1, -1\] does not fit 'text' BYTES \[-1\]/);
  });

  it('refuses a step fed an incompatible shape', async () => {
    const error = await buildPipeline(
      [{ step: 'tokenize', options: { vocabulary: 'vocab.json', input: 'text', output: 'counts' } }],
      defaultCatalog(), { dir }, [{ name: 'text', datatype: 'BYTES', shape: [-1, 2] }],
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineMismatchError);
    expect((error as Error).message).toMatch(/does not fit 'text' BYTES \[-1, 2\]/);
  });

  it('refuses an unknown step and invalid options', async () => {
    await expect(buildPipeline([{ step: 'detokenize' }], defaultCatalog(), { dir }, text))
      .rejects.toBeInstanceOf(UnknownStepError);
    const error = await buildPipeline(
      [{ step: 'top-k', options: { input: 'x', k: 0, outputValues: 'v', outputIndices: 'i' } }], defaultCatalog(), { dir }, text,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as Error).message).toMatch(/step 'top-k@1.0.0': invalid options: .*k/);
    expect((error as Error).cause).toBeDefined();
  });

  it('is the identity with no steps', async () => {
    const pipeline = await buildPipeline([], defaultCatalog(), { dir }, text);
    expect(pipeline.outputs).toEqual(text);
    const inputs = { text: { datatype: 'BYTES' as const, shape: [1], data: ['a'] } };
    expect(pipeline.run(inputs)).toBe(inputs);
  });

  it('fails a bad batch cleanly with a typed error at run time', async () => {
    const pipeline = await buildPipeline(
      [{ step: 'softmax', options: { input: 'x', output: 'y' } }],
      defaultCatalog(), { dir }, [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
    );
    expect(() => pipeline.run({ x: { datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) } }))
      .toThrow(BadInputError);
  });

  it('wraps what a custom step throws, and catches a custom step that skips its output', async () => {
    const catalog = new StepCatalog()
      .register({
        name: 'explode', version: '1.0.0', optionsSchema: defaultCatalog().get('softmax').optionsSchema,
        async create() {
          return { inputs: [], outputs: [], run: () => { throw new Error('boom'); } };
        },
      })
      .register({
        name: 'forgetful', version: '1.0.0', optionsSchema: defaultCatalog().get('softmax').optionsSchema,
        async create() {
          return { inputs: [], outputs: [{ name: 'out', datatype: 'FP32', shape: [-1] }], run: (inputs) => inputs };
        },
      });
    const opts = { input: 'x', output: 'y' };
    const explode = await buildPipeline([{ step: 'explode', options: opts }], catalog, { dir }, []);
    const error = (() => { try { explode.run({}); } catch (e) { return e; } return undefined; })();
    expect(error).toBeInstanceOf(StepFailedError);
    expect((error as StepFailedError).message).toBe("step 'explode@1.0.0' failed: boom");
    expect((error as StepFailedError).cause).toBeInstanceOf(Error);
    const forgetful = await buildPipeline([{ step: 'forgetful', options: opts }], catalog, { dir }, []);
    expect(() => forgetful.run({})).toThrow(/did not produce its output 'out' FP32 \[-1\]/);
  });
});
