import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelSpecSchema, type ModelSpecInput } from '@infermesh/contracts';
import { JsRuntime } from '@infermesh/runtime';
import { describe, expect, it } from 'vitest';
import { ModelHost } from './model-host.js';

/** A JS-module model: logits = [x, -x] per row of a [N, 1] input. */
const MODULE = `export function run(inputs) {
  const x = inputs.x.data; const out = new Float32Array(x.length * 2);
  for (let i = 0; i < x.length; i++) { out[2 * i] = x[i]; out[2 * i + 1] = -x[i]; }
  return { logits: { datatype: 'FP32', shape: [x.length, 2], data: out } };
}`;

function model(over: Partial<ModelSpecInput> = {}) {
  const dir = join(mkdtempSync(join(tmpdir(), 'im-host-')), '1');
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.mjs'), MODULE);
  const spec = ModelSpecSchema.parse({
    name: 'sign',
    version: '1',
    platform: 'js',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }],
    outputs: [
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
    ],
    postprocess: [
      { step: 'softmax', options: { input: 'logits', output: 'probabilities' } },
      { step: 'argmax-label', options: { input: 'probabilities', output: 'label', labels: ['up', 'down'] } },
    ],
    ...over,
  });
  return { spec, dir, file: join(dir, 'model.mjs') };
}

// The JS runtime takes its tensor declarations from the spec, so the model's own output is declared too.
const runtimes = { js: new JsRuntime() };
const fp32 = (values: number[]) => ({ datatype: 'FP32' as const, shape: [values.length, 1], data: Float32Array.from(values) });

describe('ModelHost', () => {
  it('runs post-processing on a batch and answers each item with its own rows', async () => {
    const host = await ModelHost.load([model({ outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'BYTES', shape: [-1] }, { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }] })], runtimes);
    const answer = await host.infer({
      model: 'sign',
      version: '1',
      stage: 'all',
      items: [
        { id: 'a', inputs: { x: fp32([2]) }, parameters: {}, outputs: ['label'] },
        { id: 'b', inputs: { x: fp32([-1, 3]) }, parameters: {}, outputs: [] },
      ],
    });
    expect(answer.items).toHaveLength(2);
    const [a, b] = answer.items;
    expect(a).toMatchObject({ ok: true, outputs: { label: { data: ['up'] } } });
    expect(Object.keys((a as { outputs: object }).outputs)).toEqual(['label']);
    expect(b?.ok && b.outputs.label?.data).toEqual(['down', 'up']);
    expect(b?.ok && b.outputs.probabilities?.shape).toEqual([2, 2]);
  });

  it('fails only the bad item of a batch', async () => {
    const host = await ModelHost.load([model({ outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'BYTES', shape: [-1] }] })], runtimes);
    const answer = await host.infer({
      model: 'sign',
      version: '1',
      stage: 'all',
      items: [
        { id: 'good', inputs: { x: fp32([1]) }, parameters: {}, outputs: [] },
        { id: 'bad', inputs: { y: fp32([1]) }, parameters: {}, outputs: [] },
      ],
    });
    expect(answer.items[0]?.ok).toBe(true);
    expect(answer.items[1]).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^IM_/) } });
  });

  it('times pre-processing, inference and post-processing of a batch, in that order, through the stage timer', async () => {
    const host = await ModelHost.load([model({ outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'BYTES', shape: [-1] }] })], runtimes);
    const events: string[] = [];
    const stages = { start: (stage: string) => (events.push(`start ${stage}`), { end: () => events.push(`end ${stage}`) }) };
    const answer = await host.infer(
      { model: 'sign', version: '1', stage: 'all', items: [{ id: 'a', inputs: { x: fp32([1]) }, parameters: {}, outputs: [] }, { id: 'b', inputs: { x: fp32([2]) }, parameters: {}, outputs: [] }] },
      undefined,
      stages,
    );
    expect(answer.items.every((i) => i.ok)).toBe(true);
    expect(events).toEqual(['start preprocess', 'end preprocess', 'start inference', 'end inference', 'start postprocess', 'end postprocess']);
  });

  it('times only pre-processing when every item of a batch is bad', async () => {
    const host = await ModelHost.load([model({ outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }] })], runtimes);
    const events: string[] = [];
    const stages = { start: (stage: string) => (events.push(stage), { end: () => undefined }) };
    await host.infer({ model: 'sign', version: '1', stage: 'all', items: [{ id: 'bad', inputs: { y: fp32([1]) }, parameters: {}, outputs: [] }] }, undefined, stages);
    expect(events).toEqual(['preprocess']);
  });

  it('answers every item of a batch for a model it does not hold with IM_WORKER_MODEL_NOT_LOADED', async () => {
    const host = await ModelHost.load([], runtimes);
    const answer = await host.infer({ model: 'x', version: '1', stage: 'all', items: [{ id: 'a', inputs: {}, parameters: {}, outputs: [] }] });
    expect(answer.items[0]).toMatchObject({ ok: false, error: { code: 'IM_WORKER_MODEL_NOT_LOADED' } });
  });

  it('refuses at load a post-processing step whose input does not exist', async () => {
    const bad = model({
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }],
      postprocess: [{ step: 'softmax', options: { input: 'nope', output: 'p' } }],
    });
    await expect(ModelHost.load([bad], runtimes)).rejects.toMatchObject({ code: 'IM_PROCESSING_PIPELINE_MISMATCH' });
  });

  // The JS runtime's session takes the spec's inputs, so pre-processing here rewrites `x` in place.
  const staged = () =>
    model({
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'BYTES', shape: [-1] }, { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
      preprocess: [{ step: 'normalize', options: { input: 'x', output: 'x', mean: 1, std: 2 } }],
    });

  it('gives the same answer run as three stages (pre, model, post) as in one call', async () => {
    const spec = staged();
    const host = await ModelHost.load([spec], runtimes);
    const processor = await ModelHost.load([spec], runtimes, { role: 'processor' });
    const items = [
      { id: 'a', inputs: { x: fp32([5]) }, parameters: {}, outputs: [] },
      { id: 'b', inputs: { x: fp32([-3, 5]) }, parameters: {}, outputs: ['label'] },
    ];
    const whole = await host.infer({ model: 'sign', version: '1', stage: 'all', items });
    const pre = await processor.infer({ model: 'sign', version: '1', stage: 'preprocess', items: items.map((i) => ({ ...i, outputs: [] })) });
    expect(pre.items[0]).toMatchObject({ ok: true, outputs: { x: { shape: [1, 1], data: Float32Array.from([2]) } } });
    const mid = await host.infer({
      model: 'sign', version: '1', stage: 'model',
      items: pre.items.map((r, k) => ({ id: items[k]!.id, inputs: r.ok ? r.outputs : {}, parameters: {}, outputs: [] })),
    });
    expect(mid.items[1]).toMatchObject({ ok: true, outputs: { logits: { shape: [2, 2] } } });
    const post = await processor.infer({
      model: 'sign', version: '1', stage: 'postprocess',
      items: mid.items.map((r, k) => ({ id: items[k]!.id, inputs: r.ok ? r.outputs : {}, parameters: {}, outputs: items[k]!.outputs })),
    });
    expect(post.items).toEqual(whole.items);
    expect(whole.items[1]).toMatchObject({ ok: true, outputs: { label: { data: ['down', 'up'] } } });
    expect(Object.keys((whole.items[1] as { outputs: object }).outputs)).toEqual(['label']);
    await Promise.all([host.close(), processor.close()]);
  });

  it('as a processor holds no session: the model stage is refused, the stages it runs are reported', async () => {
    const processor = await ModelHost.load([staged()], runtimes, { role: 'processor' });
    const answer = await processor.infer({ model: 'sign', version: '1', stage: 'model', items: [{ id: 'a', inputs: { x: fp32([1]) }, parameters: {}, outputs: [] }] });
    expect(answer.items[0]).toMatchObject({ ok: false, error: { code: 'IM_WORKER_MODEL_NOT_LOADED', message: expect.stringContaining('pre- and post-processing') } });
    const stages = processor.stages['sign:1'];
    expect(stages?.model).toBeUndefined();
    expect(stages?.preprocess).toEqual({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }], outputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1] }] });
    expect(stages?.postprocess?.outputs.map((s) => s.name).sort()).toEqual(['label', 'logits', 'probabilities']);
    const host = await ModelHost.load([staged()], runtimes);
    expect(host.stages['sign:1']?.model?.inputs).toEqual(stages?.preprocess?.outputs);
    expect(host.stages['sign:1']?.postprocess).toEqual(stages?.postprocess);
    await Promise.all([host.close(), processor.close()]);
  });

  it('refuses at load pre-processing that hands the session a tensor of another shape', async () => {
    const bad = model({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
      outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }],
      preprocess: [{ step: 'top-k', options: { input: 'x', k: 1, outputValues: 'x', outputIndices: 'i' } }],
    });
    const refused = ModelHost.load([bad], runtimes, { role: 'processor' });
    await expect(refused).rejects.toMatchObject({ code: 'IM_PROCESSING_PIPELINE_MISMATCH', tensor: 'x' });
    await expect(refused).rejects.toThrow(/session input 'x' FP32 \[-1, 2\] does not fit 'x' FP32 \[-1, 1\]/);
  });

  it('lets the event loop turn during long pre-processing, so heartbeats and health checks are answered', async () => {
    const processor = await ModelHost.load([staged()], runtimes, { role: 'processor' });
    const rows = 200_000;
    const items = Array.from({ length: 100 }, (_, i) => ({
      id: `i${i}`, inputs: { x: { datatype: 'FP32' as const, shape: [rows, 1], data: new Float32Array(rows).fill(i) } }, parameters: {}, outputs: [],
    }));
    const events: string[] = [];
    const stages = { start: (stage: string) => (events.push(`start ${stage}`), { end: () => events.push(`end ${stage}`) }) };
    const ticks = setInterval(() => events.push('tick'), 0);
    try {
      const answer = await processor.infer({ model: 'sign', version: '1', stage: 'preprocess', items }, undefined, stages);
      expect(answer.items.every((r) => r.ok)).toBe(true);
    } finally {
      clearInterval(ticks);
    }
    const during = events.slice(events.indexOf('start preprocess'), events.indexOf('end preprocess'));
    expect(during.filter((e) => e === 'tick').length).toBeGreaterThan(0);
    await processor.close();
  });
});

/** A JS-module model that answers after 150 ms and records when it is closed. */
const SLOW_MODULE = `export async function run(inputs) {
  await new Promise((r) => setTimeout(r, 150));
  const x = inputs.x.data; const out = new Float32Array(x.length * 2);
  for (let i = 0; i < x.length; i++) { out[2 * i] = x[i]; out[2 * i + 1] = -x[i]; }
  return { logits: { datatype: 'FP32', shape: [x.length, 2], data: out } };
}
export function close() { globalThis.__slowClosedAt = performance.now(); }`;

describe('ModelHost explicit model control', () => {
  const logitsOnly = { outputs: [{ name: 'logits', datatype: 'FP32' as const, shape: [-1, 2] }], postprocess: [] };
  const request = (version = '1') => ({ model: 'sign', version, stage: 'all' as const, items: [{ id: 'a', inputs: { x: fp32([2]) }, parameters: {}, outputs: [] }] });

  it('starts empty, loads a model on request, reports each stage\'s time, and refuses it again once removed', async () => {
    const host = await ModelHost.load([], runtimes);
    expect(host.specs).toEqual([]);
    expect((await host.infer(request())).items[0]).toMatchObject({ ok: false, error: { code: 'IM_WORKER_MODEL_NOT_LOADED' } });
    const added = await host.add([model(logitsOnly)]);
    expect(added.map((s) => s.name)).toEqual(['sign']);
    expect(await host.add([model(logitsOnly)])).toEqual([]); // already loaded: kept as it is
    const answer = await host.infer(request());
    expect(answer.items[0]).toMatchObject({ ok: true });
    expect(answer.timings).toEqual({ preprocessMs: expect.any(Number), inferenceMs: expect.any(Number), postprocessMs: expect.any(Number) });
    expect((await host.remove('sign')).map((s) => s.version)).toEqual(['1']);
    expect(host.specs).toEqual([]);
    expect((await host.infer(request())).items[0]).toMatchObject({ ok: false, error: { code: 'IM_WORKER_MODEL_NOT_LOADED' } });
    await host.close();
  });

  it('drops a model only after the batches it is running are answered', async () => {
    const m = model(logitsOnly);
    writeFileSync(m.file, SLOW_MODULE);
    const host = await ModelHost.load([m], runtimes);
    const running = host.infer(request());
    await new Promise((r) => setTimeout(r, 20));
    const removed = host.remove('sign');
    // New batches are refused at once while the running one finishes.
    expect((await host.infer(request())).items[0]).toMatchObject({ ok: false, error: { code: 'IM_WORKER_MODEL_NOT_LOADED' } });
    const answered = await running;
    const answeredAt = performance.now();
    await removed;
    expect(answered.items[0]).toMatchObject({ ok: true });
    expect((globalThis as { __slowClosedAt?: number }).__slowClosedAt).toBeGreaterThanOrEqual(answeredAt - 1);
    await host.close();
  });

  it('loads all or nothing: a model that does not fit leaves the host as it was', async () => {
    const host = await ModelHost.load([], runtimes);
    const bad = model({ name: 'bad', postprocess: [{ step: 'softmax', options: { input: 'missing', output: 'probabilities' } }] });
    await expect(host.add([model(logitsOnly), bad])).rejects.toThrow(/missing/);
    expect(host.specs).toEqual([]);
    await host.close();
  });
});

describe('ModelHost: tensors carried round the session', () => {
  // Pre-processing makes `scaled`, which the session does not read and post-processing does.
  const carrying = () => model({
    outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'BYTES', shape: [-1] }, { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
    preprocess: [{ step: 'normalize', options: { input: 'x', output: 'scaled', mean: 0, std: 0.5 } }],
    postprocess: [
      { step: 'softmax', options: { input: 'logits', output: 'probabilities' } },
      { step: 'argmax-label', options: { input: 'scaled', output: 'label', labels: ['scaled'] } },
    ],
  });

  it('hands them to post-processing co-located, and names them in every stage signature', async () => {
    const host = await ModelHost.load([carrying()], runtimes);
    const stages = host.stages['sign:1']!;
    expect(stages.preprocess?.outputs.map((s) => s.name)).toEqual(['x', 'scaled']);
    expect(stages.model?.inputs.map((s) => s.name)).toEqual(['x', 'scaled']);
    expect(stages.postprocess?.inputs.map((s) => s.name)).toEqual(['scaled', 'logits', 'label', 'probabilities']);
    const all = await host.infer({ model: 'sign', version: '1', stage: 'all', items: [{ id: 'a', inputs: { x: fp32([2, -1]) }, parameters: {}, outputs: [] }] });
    expect(all.items[0]).toMatchObject({ ok: true, outputs: { label: { data: ['scaled', 'scaled'] } } });
  });

  it('answers the same stage by stage (disaggregated), the model stage passing them on', async () => {
    const host = await ModelHost.load([carrying()], runtimes);
    const run = async (stage: 'preprocess' | 'model' | 'postprocess', inputs: Record<string, unknown>) => {
      const answer = await host.infer({ model: 'sign', version: '1', stage, items: [{ id: 'a', inputs: inputs as never, parameters: {}, outputs: [] }] });
      const item = answer.items[0]!;
      if (!item.ok) throw new Error(item.error.message);
      return item.outputs;
    };
    const pre = await run('preprocess', { x: fp32([2, -1]) });
    expect(Object.keys(pre).sort()).toEqual(['scaled', 'x']);
    const mid = await run('model', pre);
    expect(Object.keys(mid)).toContain('scaled');
    expect(Object.keys(mid)).toContain('logits');
    const post = await run('postprocess', mid);
    expect(post['label']?.data).toEqual(['scaled', 'scaled']);
  });
});
