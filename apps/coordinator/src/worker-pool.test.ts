import { ModelSpecSchema, workerProtocol, type InferBatchResponse, type WorkerInfo, type WorkerProtocol } from '@infermesh/contracts';
import { ModelRegistry } from '@infermesh/registry';
import { dial, listen, type Handlers, type Peer, type TransportServer } from '@infermesh/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHash } from '@infermesh/router';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

const spec = ModelSpecSchema.parse({
  name: 'm',
  version: '1',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
});

interface FakeWorker {
  server: TransportServer<WorkerProtocol>;
  calls: number;
  maxSeen: number;
}

const poolOptions: WorkerPoolOptions = {
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
): Promise<FakeWorker> {
  const info: WorkerInfo = { workerId: id, pid: 1, maxConcurrency, models: [spec], shards: {}, role, stages: {} };
  let inFlight = 0;
  const w = { calls: 0, maxSeen: 0 } as FakeWorker;
  const handlers: Handlers<WorkerProtocol> = {
    describe: () => info,
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
  await pool.add(peer);
  return peer;
}

const request = (id: string) => ({ model: 'm', version: '1', items: [{ id, inputs: { x: { datatype: 'FP32' as const, shape: [1], data: new Float32Array([1]) } }, parameters: {}, outputs: [] }] });

describe('WorkerPool', () => {
  it('registers a worker\'s models and knows who serves them', async () => {
    const registry = new ModelRegistry();
    const pool = new WorkerPool(registry, poolOptions);
    expect(pool.serves('m', '1')).toBe(false);
    await connect(pool, await fakeWorker('w1', 2, 1));
    expect(registry.get('m').version).toBe('1');
    expect(pool.serves('m', '1')).toBe(true);
    expect(pool.status()).toMatchObject([{ workerId: 'w1', models: ['m:1'], inFlight: 0 }]);
  });

  it('never sends a worker more than its concurrency, even when a burst arrives in one tick', async () => {
    const pool = new WorkerPool(new ModelRegistry(), poolOptions);
    const a = await fakeWorker('a', 2, 20);
    const b = await fakeWorker('b', 3, 20);
    await connect(pool, a);
    await connect(pool, b);
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => pool.dispatch(request(`r${i}`), { timeoutMs: 10_000 })));
    expect(answers.every((r) => r.items[0]?.ok)).toBe(true);
    expect(a.maxSeen).toBeLessThanOrEqual(2);
    expect(b.maxSeen).toBeLessThanOrEqual(3);
    expect(a.calls + b.calls).toBe(25);
    expect(a.calls).toBeGreaterThan(0);
    expect(b.calls).toBeGreaterThan(0);
  });

  it('retries a batch on another worker when its worker is busy or gone', async () => {
    const pool = new WorkerPool(new ModelRegistry(), poolOptions);
    const busy = Object.assign(new Error('busy'), { code: 'IM_WORKER_BUSY' });
    const a = await fakeWorker('a', 1, 1, () => busy);
    const b = await fakeWorker('b', 1, 1);
    await connect(pool, a);
    await connect(pool, b);
    for (let i = 0; i < 4; i++) expect((await pool.dispatch(request(`r${i}`), { timeoutMs: 5_000 })).items[0]?.ok).toBe(true);
    expect(b.calls).toBe(4);
  });

  it('stops retrying when the retry budget is spent', async () => {
    const pool = new WorkerPool(new ModelRegistry(), { ...poolOptions, retryBudget: { percentCanRetry: 0, minRetriesPerSecond: 0 } });
    const busy = Object.assign(new Error('busy'), { code: 'IM_WORKER_BUSY' });
    const a = await fakeWorker('a', 1, 1, () => busy);
    const b = await fakeWorker('b', 1, 1, () => busy);
    await connect(pool, a);
    await connect(pool, b);
    await expect(pool.dispatch(request('r'), { timeoutMs: 5_000 })).rejects.toMatchObject({ remoteCode: 'IM_WORKER_BUSY' });
    expect(a.calls + b.calls).toBe(1);
  });

  it('does not retry a failure of the request itself', async () => {
    const pool = new WorkerPool(new ModelRegistry(), poolOptions);
    const bad = Object.assign(new Error('bad input'), { code: 'IM_WORKER_BAD_INPUT' });
    const a = await fakeWorker('a', 1, 1, () => bad);
    const b = await fakeWorker('b', 1, 1, () => bad);
    await connect(pool, a);
    await connect(pool, b);
    await expect(pool.dispatch(request('r'), { timeoutMs: 5_000 })).rejects.toMatchObject({ remoteCode: 'IM_WORKER_BAD_INPUT' });
    expect(a.calls + b.calls).toBe(1);
  });

  it('answers IM_NO_WORKER when nobody serves the model, and drops a worker whose connection closes', async () => {
    const pool = new WorkerPool(new ModelRegistry(), poolOptions);
    await expect(pool.dispatch(request('r'), { timeoutMs: 1_000 })).rejects.toMatchObject({ code: 'IM_NO_WORKER', status: 503 });
    const peer = await connect(pool, await fakeWorker('a', 1, 1));
    expect(pool.size).toBe(1);
    await peer.close();
    await expect.poll(() => pool.size).toBe(0);
    expect(pool.serves('m', '1')).toBe(false);
  });

  it('sends pre- and post-processing to processors and the rest to model workers, each balanced apart', async () => {
    const pool = new WorkerPool(new ModelRegistry(), poolOptions);
    const model = await fakeWorker('model', 2, 1);
    const processor = await fakeWorker('processor', 2, 1, undefined, 'processor');
    await connect(pool, model);
    expect(pool.serves('m', '1', 'processor')).toBe(false);
    await expect(pool.dispatch({ ...request('p'), stage: 'preprocess' }, { timeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'IM_NO_WORKER', message: expect.stringContaining('no processor (preprocess) serves m:1'),
    });
    await connect(pool, processor);
    expect(pool.serves('m', '1', 'processor')).toBe(true);
    expect(pool.capacity('m', '1', 'processor')).toBe(2);
    expect((await pool.dispatch({ ...request('a'), stage: 'preprocess' }, { timeoutMs: 1_000 })).workerId).toBe('processor');
    expect((await pool.dispatch({ ...request('b'), stage: 'model' }, { timeoutMs: 1_000 })).workerId).toBe('model');
    expect((await pool.dispatch({ ...request('c'), stage: 'postprocess' }, { timeoutMs: 1_000 })).workerId).toBe('processor');
    expect((await pool.dispatch(request('d'), { timeoutMs: 1_000 })).workerId).toBe('model');
    expect([model.calls, processor.calls]).toEqual([2, 2]);
    expect(pool.status().map((w) => [w.workerId, w.role])).toEqual([['model', 'model'], ['processor', 'processor']]);
  });

  it('times a request out while it waits for a busy worker', async () => {
    const pool = new WorkerPool(new ModelRegistry(), poolOptions);
    await connect(pool, await fakeWorker('slow', 1, 300));
    const first = pool.dispatch(request('a'), { timeoutMs: 5_000 });
    await expect(pool.dispatch(request('b'), { timeoutMs: 50 })).rejects.toMatchObject({ code: 'IM_TIMEOUT' });
    expect((await first).items[0]?.ok).toBe(true);
  });
});
