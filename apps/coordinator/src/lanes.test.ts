import { ModelSpecSchema, modelVersionKey, workerProtocol, type ModelSpec, type InferBatchResponse, type WorkerInfo, type WorkerProtocol } from '@infermesh/contracts';
import { ModelRegistry } from '@infermesh/registry';
import { dial, listen, type Handlers, type Peer, type TransportServer } from '@infermesh/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHash } from '@infermesh/router';
import { LaneTable, type LaneTableOptions } from './lanes.js';
import { WorkerPool } from './worker-pool.js';

const spec = ModelSpecSchema.parse({
  name: 'm',
  version: '1',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
});

interface FakeWorker {
  server: TransportServer<WorkerProtocol>;
  /** What it describes itself as; a test may change it. */
  info: WorkerInfo;
  calls: number;
  maxSeen: number;
}

const laneOptions: LaneTableOptions = {
  placement: { default: 'colocated', models: {} },
  fallbacks: [],
  batching: false,
  strategy: 'least-connections',
  strategies: {},
  health: { intervalMs: 60_000, timeoutMs: 1_000, unhealthyThreshold: 2, healthyThreshold: 2 },
  outlier: { consecutiveFailures: 5, baseEjectionMs: 10_000, maxEjectionMs: 60_000, maxEjectionPercent: 50 },
  panicThreshold: 50,
  slowStartMs: 0,
  hash: await loadHash(),
  retryBudget: { percentCanRetry: 0.2, minRetriesPerSecond: 10 },
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((c) => c.close()));
});

/** A worker process's channel, in-process: real sockets, a handler that answers after `delayMs`. */
async function fakeWorker(
  id: string, maxConcurrency: number, delayMs: number, fail?: () => Error | undefined, role: WorkerInfo['role'] = 'model',
  models: ModelSpec[] = [spec], shards: WorkerInfo['shards'] = {},
): Promise<FakeWorker> {
  const info: WorkerInfo = { workerId: id, pid: 1, maxConcurrency, models, shards, role, stages: {}, repository: [], placeable: [] };
  let inFlight = 0;
  const w = { calls: 0, maxSeen: 0, info } as FakeWorker;
  const handlers: Handlers<WorkerProtocol> = {
    describe: () => w.info,
    infer: async (req): Promise<InferBatchResponse> => {
      w.calls++;
      w.maxSeen = Math.max(w.maxSeen, ++inFlight);
      try {
        await new Promise((r) => setTimeout(r, delayMs));
        const error = fail?.();
        if (error) throw error;
        return { items: req.items.map(() => ({ ok: true as const, outputs: { y: { datatype: 'FP32' as const, shape: [1], data: new Float32Array([1]) } } })), computeMs: delayMs };
      } finally {
        inFlight--;
      }
    },
  };
  w.server = await listen({ port: 0, protocol: workerProtocol, handlers });
  open.push(w.server);
  return w;
}

async function connect(pool: WorkerPool, worker: FakeWorker): Promise<Peer<WorkerProtocol>> {
  const peer = dial(`ws://127.0.0.1:${worker.server.port}`, { protocol: workerProtocol, reconnect: false });
  open.push(peer);
  await peer.ready();
  await pool.join(peer);
  return peer;
}

/** A registry, a pool and the lanes over it: the coordinator's scheduling without its HTTP edge. */
function cluster(options: Partial<LaneTableOptions> = {}): { registry: ModelRegistry; pool: WorkerPool; lanes: LaneTable } {
  const registry = new ModelRegistry();
  const pool = new WorkerPool(registry);
  return { registry, pool, lanes: new LaneTable(registry, pool, { ...laneOptions, ...options }) };
}

const item = (id: string) => ({ id, inputs: { x: { datatype: 'FP32' as const, shape: [1], data: new Float32Array([1]) } }, parameters: {}, outputs: [] });
const within = (ms: number) => ({ rows: 1, deadline: performance.now() + ms });

describe('lanes under explicit model control', () => {
  it('follow a worker\'s new description: a version it drops leaves only that lane, one it gains joins its lanes', async () => {
    const other = ModelSpecSchema.parse({ ...spec, name: 'n' });
    const { registry, pool, lanes } = cluster();
    const w = await fakeWorker('w', 2, 1, undefined, 'model', [spec, other]);
    const peer = await connect(pool, w);
    expect([lanes.servable(spec), lanes.servable(other), lanes.instances(other)]).toEqual([true, true, 1]);
    const info = (models: ModelSpec[]): WorkerInfo => ({ workerId: 'w', pid: 1, maxConcurrency: 2, models, shards: {}, role: 'model', stages: {}, repository: ['m', 'n'], placeable: [] });
    pool.update(peer.id, info([spec]));
    expect([lanes.servable(spec), lanes.servable(other), lanes.instances(other)]).toEqual([true, false, 0]);
    expect((await lanes.resolve(spec, '').model.submit(item('a'), within(5_000))).result.ok).toBe(true);
    lanes.forget(other);
    registry.unregister('n', '1');
    pool.update(peer.id, info([spec, other]));
    expect([registry.has('n', '1'), lanes.servable(other), lanes.instances(other)]).toEqual([true, true, 1]);
    expect((await lanes.resolve(other, '').model.submit(item('b'), within(5_000))).result.ok).toBe(true);
  });

  it('learn a change made through another coordinator from the next health check\'s describe', async () => {
    const other = ModelSpecSchema.parse({ ...spec, name: 'n' });
    const { pool, lanes } = cluster({ health: { intervalMs: 20, timeoutMs: 1_000, unhealthyThreshold: 2, healthyThreshold: 1 } });
    const w = await fakeWorker('w', 2, 1, undefined, 'model', [spec, other]);
    await connect(pool, w);
    expect(lanes.servable(other)).toBe(true);
    w.info.models = [spec];
    for (let i = 0; i < 100 && lanes.servable(other); i++) await new Promise((r) => setTimeout(r, 10));
    expect([lanes.servable(other), lanes.servable(spec)]).toEqual([false, true]);
    lanes.close();
  });
});

describe('lanes', () => {
  it('make a lane per model version as workers join, and know when it can be served', async () => {
    const { registry, pool, lanes } = cluster();
    await connect(pool, await fakeWorker('w1', 2, 1));
    expect(registry.get('m').version).toBe('1');
    expect(lanes.servable(spec)).toBe(true);
    const route = lanes.resolve(spec, '');
    expect([route.preprocess, route.model.label, route.postprocess, route.shard]).toEqual([undefined, 'm:1', undefined, undefined]);
    expect(pool.status((w) => lanes.balancing(w))).toMatchObject([{ workerId: 'w1', models: ['m:1'], inFlight: 0, balancing: { 'm:1': { state: 'healthy' } } }]);
  });

  it('never send a worker more than its concurrency, even when a burst arrives in one tick', async () => {
    const { pool, lanes } = cluster();
    const a = await fakeWorker('a', 2, 20);
    const b = await fakeWorker('b', 3, 20);
    await connect(pool, a);
    await connect(pool, b);
    const lane = lanes.resolve(spec, '').model;
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => lane.submit(item(`r${i}`), within(10_000))));
    expect(answers.every((r) => r.result.ok)).toBe(true);
    expect(a.maxSeen).toBeLessThanOrEqual(2);
    expect(b.maxSeen).toBeLessThanOrEqual(3);
    expect(a.calls + b.calls).toBe(25);
    expect(a.calls).toBeGreaterThan(0);
    expect(b.calls).toBeGreaterThan(0);
  });

  it('share one worker\'s slots between the lanes of the models it serves', async () => {
    const other = ModelSpecSchema.parse({ ...spec, name: 'n' });
    const { pool, lanes } = cluster();
    const w = await fakeWorker('w', 2, 20, undefined, 'model', [spec, other]);
    await connect(pool, w);
    const m = lanes.resolve(spec, '').model;
    const n = lanes.resolve(other, '').model;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? m : n).submit(item(`r${i}`), within(10_000))));
    expect(answers.every((r) => r.result.ok)).toBe(true);
    expect(w.maxSeen).toBe(2);
  });

  it('retry a batch on another worker when its worker is busy or gone', async () => {
    const { pool, lanes } = cluster();
    const busy = Object.assign(new Error('busy'), { code: 'IM_WORKER_BUSY' });
    const a = await fakeWorker('a', 1, 1, () => busy);
    const b = await fakeWorker('b', 1, 1);
    await connect(pool, a);
    await connect(pool, b);
    const lane = lanes.resolve(spec, '').model;
    for (let i = 0; i < 4; i++) expect((await lane.submit(item(`r${i}`), within(5_000))).result.ok).toBe(true);
    expect(b.calls).toBe(4);
  });

  it('stop retrying when the retry budget is spent', async () => {
    const { pool, lanes } = cluster({ retryBudget: { percentCanRetry: 0, minRetriesPerSecond: 0 } });
    const busy = Object.assign(new Error('busy'), { code: 'IM_WORKER_BUSY' });
    const a = await fakeWorker('a', 1, 1, () => busy);
    const b = await fakeWorker('b', 1, 1, () => busy);
    await connect(pool, a);
    await connect(pool, b);
    await expect(lanes.resolve(spec, '').model.submit(item('r'), within(5_000))).rejects.toMatchObject({ remoteCode: 'IM_WORKER_BUSY' });
    expect(a.calls + b.calls).toBe(1);
  });

  it('do not retry a failure of the request itself', async () => {
    const { pool, lanes } = cluster();
    const bad = Object.assign(new Error('bad input'), { code: 'IM_WORKER_BAD_INPUT' });
    const a = await fakeWorker('a', 1, 1, () => bad);
    const b = await fakeWorker('b', 1, 1, () => bad);
    await connect(pool, a);
    await connect(pool, b);
    await expect(lanes.resolve(spec, '').model.submit(item('r'), within(5_000))).rejects.toMatchObject({ remoteCode: 'IM_WORKER_BAD_INPUT' });
    expect(a.calls + b.calls).toBe(1);
  });

  it('answer IM_NO_WORKER when nobody serves the lane, and drop a worker whose connection closes', async () => {
    const { pool, lanes } = cluster();
    const peer = await connect(pool, await fakeWorker('a', 1, 1));
    const lane = lanes.resolve(spec, '').model;
    expect(pool.size).toBe(1);
    await peer.close();
    await expect.poll(() => pool.size).toBe(0);
    expect(lanes.servable(spec)).toBe(false);
    await expect(lane.submit(item('r'), within(1_000))).rejects.toMatchObject({ code: 'IM_NO_WORKER', spec: { http: 503 } });
  });

  it('send pre- and post-processing to processors and the model stage to model workers, each balanced apart', async () => {
    const withSteps = ModelSpecSchema.parse({ ...spec, preprocess: [{ step: 'identity' }], postprocess: [{ step: 'identity' }] });
    const { pool, lanes } = cluster({ placement: { default: 'disaggregated', models: {} } });
    const model = await fakeWorker('model', 2, 1, undefined, 'model', [withSteps]);
    const processor = await fakeWorker('processor', 2, 1, undefined, 'processor', [withSteps]);
    await connect(pool, model);
    expect(lanes.servable(withSteps)).toBe(false);
    const route = lanes.resolve(withSteps, '');
    expect([route.preprocess?.label, route.model.label, route.postprocess?.label]).toEqual(['m:1@preprocess', 'm:1@model', 'm:1@postprocess']);
    await expect(route.preprocess!.submit(item('p'), within(1_000))).rejects.toMatchObject({
      code: 'IM_NO_WORKER', message: expect.stringContaining('no processor (preprocess) serves m:1'),
    });
    await connect(pool, processor);
    expect(lanes.servable(withSteps)).toBe(true);
    expect((await route.preprocess!.submit(item('a'), within(1_000))).workerId).toBe('processor');
    expect((await route.model.submit(item('b'), within(1_000))).workerId).toBe('model');
    expect((await route.postprocess!.submit(item('c'), within(1_000))).workerId).toBe('processor');
    expect([model.calls, processor.calls]).toEqual([1, 2]);
    expect(pool.status((w) => lanes.balancing(w)).map((w) => [w.workerId, w.role, Object.keys(w.balancing)])).toEqual([
      ['model', 'model', ['m:1@model']], ['processor', 'processor', ['m:1@preprocess', 'm:1@postprocess']],
    ]);
  });

  it('time a request out while it waits for a busy worker', async () => {
    const { pool, lanes } = cluster();
    await connect(pool, await fakeWorker('slow', 1, 300));
    const lane = lanes.resolve(spec, '').model;
    const first = lane.submit(item('a'), within(5_000));
    await expect(lane.submit(item('b'), within(50))).rejects.toMatchObject({ code: 'IM_TIMEOUT' });
    expect((await first).result.ok).toBe(true);
  });

  it('resolve a sharded model to the lane of its key\'s shard, holding only that shard\'s workers', async () => {
    const sharded = ModelSpecSchema.parse({ ...spec, shards: 2 });
    const { pool, lanes } = cluster();
    const key = modelVersionKey(sharded);
    await connect(pool, await fakeWorker('s0', 1, 1, undefined, 'model', [sharded], { [key]: [0] }));
    await connect(pool, await fakeWorker('s1', 1, 1, undefined, 'model', [sharded], { [key]: [1] }));
    const seen = new Map<number, string>();
    for (let i = 0; i < 20; i++) {
      const route = lanes.resolve(sharded, `key-${i}`);
      expect(route.model.label).toBe(`m:1#${route.shard}`);
      const { workerId } = await route.model.submit(item(`r${i}`), within(1_000));
      expect(seen.get(route.shard!) ?? workerId).toBe(workerId);
      seen.set(route.shard!, workerId);
    }
    expect([...seen.keys()].sort()).toEqual([0, 1]);
    expect(lanes.resolve(sharded, 'key-3').shard).toBe(lanes.resolve(sharded, 'key-3').shard);
  });

  it('fall back to the configured version when no healthy worker serves the one asked for', async () => {
    const v2 = ModelSpecSchema.parse({ ...spec, version: '2' });
    const { pool, lanes } = cluster({ fallbacks: [{ from: { name: 'm', version: '2' }, to: { name: 'm', version: '1' } }] });
    await connect(pool, await fakeWorker('v1', 1, 1));
    const v2peer = await connect(pool, await fakeWorker('v2', 1, 1, undefined, 'model', [v2]));
    expect(lanes.resolve(v2, '')).toMatchObject({ spec: { version: '2' }, fallbackFrom: undefined });
    await v2peer.close();
    await expect.poll(() => lanes.servable(v2)).toBe(false);
    const route = lanes.resolve(v2, '');
    expect(route).toMatchObject({ spec: { version: '1' }, fallbackFrom: 'm:2' });
    expect((await route.model.submit(item('f'), within(1_000))).workerId).toBe('v1');
  });

  it('batch requests of one lane together while its workers are busy', async () => {
    const { pool, lanes } = cluster({ batching: true, maxDelayMs: 5 });
    const w = await fakeWorker('w', 1, 30);
    await connect(pool, w);
    const lane = lanes.resolve(spec, '').model;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => lane.submit(item(`r${i}`), within(5_000))));
    expect(answers.every((r) => r.result.ok)).toBe(true);
    expect(w.calls).toBeLessThan(10);
    expect(lanes.stats().models['m:1']).toMatchObject({ items: 10 });
  });
});
