import { ModelSpecSchema, workerProtocol, type InferBatchResponse, type WorkerInfo, type WorkerProtocol } from '@infermesh/contracts';
import { dial, listen, type Handlers } from '@infermesh/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { testServingCore } from './test-serving-core.js';

const spec = ModelSpecSchema.parse({
  name: 'm', version: '1', batchable: false,
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [1] }],
});

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((c) => c.close()));
});

/** A worker over a real socket: holds `m` (and `broken`, which fails to load) in its repository; answers after 100 ms. */
async function setup() {
  const events: string[] = [];
  let info: WorkerInfo = { workerId: 'w1', pid: 1, maxConcurrency: 4, models: [spec], shards: {}, role: 'model', stages: {}, repository: ['broken', 'm'], placeable: [] };
  const handlers: Handlers<WorkerProtocol> = {
    describe: () => info,
    infer: async (req): Promise<InferBatchResponse> => {
      events.push('infer start');
      await new Promise((r) => setTimeout(r, 100));
      events.push('infer end');
      return { items: req.items.map(() => ({ ok: true as const, outputs: { y: { datatype: 'FP32' as const, shape: [1], data: new Float32Array([2]) } } })), computeMs: 100, timings: { inferenceMs: 100 } };
    },
    load: ({ model }) => {
      events.push(`load ${model}`);
      if (model === 'broken') throw new Error('model file is not ONNX');
      info = { ...info, models: [spec] };
      return info;
    },
    unload: ({ model }) => {
      events.push(`unload ${model}`);
      info = { ...info, models: info.models.filter((s) => s.name !== model) };
      return info;
    },
  };
  const server = await listen({ port: 0, protocol: workerProtocol, handlers });
  open.push(server);
  const { pool, lanes, service, repository: control } = await testServingCore();
  open.push({ close: async () => lanes.close() });
  const peer = dial(`ws://127.0.0.1:${server.port}`, { protocol: workerProtocol, reconnect: false });
  open.push(peer);
  await peer.ready();
  await pool.join(peer);
  const infer = () => service.infer('m', undefined, { inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] }, { deadline: performance.now() + 5_000 });
  return { events, control, service, infer };
}

describe('ModelRepositoryControl', () => {
  it('indexes loaded versions and the repository\'s unloaded models', async () => {
    const { control } = await setup();
    expect(control.index()).toEqual([
      { name: 'broken', version: '', state: 'UNAVAILABLE', reason: 'unloaded' },
      { name: 'm', version: '1', state: 'READY', reason: '' },
    ]);
    expect(control.index({ ready: true })).toEqual([{ name: 'm', version: '1', state: 'READY', reason: '' }]);
  });

  it('unloads after the requests in flight are answered, refusing new ones at once', async () => {
    const { control, events, infer } = await setup();
    const first = infer();
    await new Promise((r) => setTimeout(r, 20));
    const unloading = control.unload('m');
    await new Promise((r) => setImmediate(r));
    await expect(infer()).rejects.toMatchObject({ code: 'IM_MODEL_NOT_FOUND' });
    expect((await first).outputs[0]).toMatchObject({ name: 'y', data: [2] });
    await unloading;
    expect(events).toEqual(['infer start', 'infer end', 'unload m']);
    expect(control.index()).toEqual([
      { name: 'broken', version: '', state: 'UNAVAILABLE', reason: 'unloaded' },
      { name: 'm', version: '', state: 'UNAVAILABLE', reason: 'unloaded' },
    ]);
    await control.load('m');
    expect((await infer()).outputs[0]!.data).toEqual([2]);
  });

  it('answers IM_MODEL_LOAD_FAILED naming the worker and its error, and IM_MODEL_NOT_FOUND for a model no repository holds', async () => {
    const { control } = await setup();
    await expect(control.load('broken')).rejects.toMatchObject({ code: 'IM_MODEL_LOAD_FAILED', message: expect.stringMatching(/w1: .*model file is not ONNX/) });
    await expect(control.load('absent')).rejects.toMatchObject({ code: 'IM_MODEL_NOT_FOUND' });
    await expect(control.unload('absent')).rejects.toMatchObject({ code: 'IM_MODEL_NOT_FOUND' });
    await control.unload('broken'); // in a repository, not loaded: nothing to do, as in Triton
  });
});
