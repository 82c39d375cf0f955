import { ModelSpecSchema, workerProtocol, type WorkerInfo, type WorkerProtocol } from '@infermesh/contracts';
import { ModelRegistry } from '@infermesh/registry';
import { dial, listen, type Peer, type TransportServer } from '@infermesh/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool, type Worker } from './worker-pool.js';

const spec = ModelSpecSchema.parse({
  name: 'm',
  version: '1',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
});

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((c) => c.close()));
});

async function worker(info: Partial<WorkerInfo> = {}): Promise<TransportServer<WorkerProtocol>> {
  const described: WorkerInfo = { workerId: 'w1', pid: 1, maxConcurrency: 3, models: [spec], shards: {}, role: 'model', stages: {}, repository: [], placeable: [], ...info };
  const server = await listen({
    port: 0, protocol: workerProtocol,
    handlers: { describe: () => described, infer: async () => ({ items: [], computeMs: 0 }) },
  });
  open.push(server);
  return server;
}

async function dialled(server: TransportServer<WorkerProtocol>): Promise<Peer<WorkerProtocol>> {
  const peer = dial(`ws://127.0.0.1:${server.port}`, { protocol: workerProtocol, reconnect: false });
  open.push(peer);
  await peer.ready();
  return peer;
}

describe('WorkerPool', () => {
  it('registers a joining worker\'s models, announces it with its capacity, and forgets it when its connection closes', async () => {
    const registry = new ModelRegistry();
    const pool = new WorkerPool(registry);
    const events: string[] = [];
    let joined: Worker | undefined;
    pool.on('joined', (w) => ((joined = w), events.push(`joined ${w.info.workerId}`)));
    pool.on('left', (w) => events.push(`left ${w.info.workerId}`));
    const peer = await dialled(await worker());
    await pool.join(peer);
    expect(registry.get('m').version).toBe('1');
    expect(joined?.capacity.limit).toBe(3);
    expect(pool.status(() => ({}))).toMatchObject([{ workerId: 'w1', models: ['m:1'], maxConcurrency: 3, inFlight: 0 }]);
    await peer.close();
    await expect.poll(() => pool.size).toBe(0);
    expect(events).toEqual(['joined w1', 'left w1']);
  });

  it('follows a worker\'s new description, but not one under another worker id', async () => {
    const registry = new ModelRegistry();
    const pool = new WorkerPool(registry);
    const events: string[] = [];
    pool.on('unloaded', (w, specs) => events.push(`unloaded ${w.info.workerId} ${specs.map((s) => s.name).join()}`));
    const peer = await dialled(await worker());
    const info = await pool.join(peer);
    pool.update(peer.id, { ...info, workerId: 'impostor', models: [] });
    expect(pool.byWorkerId('w1')?.info.models).toHaveLength(1);
    pool.update(peer.id, { ...info, models: [] });
    expect(events).toEqual(['unloaded w1 m']);
  });

  it('refuses a worker whose model conflicts with the one registered, and announces nothing', async () => {
    const registry = new ModelRegistry();
    registry.register({ ...spec, inputs: [{ name: 'other', datatype: 'FP32', shape: [-1] }] });
    const pool = new WorkerPool(registry);
    let announced = 0;
    pool.on('joined', () => announced++);
    await expect(pool.join(await dialled(await worker()))).rejects.toMatchObject({ code: 'IM_REGISTRY_CONFLICT' });
    expect([announced, pool.size]).toEqual([0, 0]);
  });

  it('announces a draining worker; false for an unknown one', async () => {
    const pool = new WorkerPool(new ModelRegistry());
    const peer = await dialled(await worker());
    await pool.join(peer);
    const draining: string[] = [];
    pool.on('draining', (w) => draining.push(w.info.workerId));
    expect(pool.drain(peer.id)).toBe(true);
    expect(pool.drain('nobody')).toBe(false);
    expect(draining).toEqual(['w1']);
  });
  it('refuses a second connection under the id of a connected worker (IM_WORKER_ID_IN_USE), takes it once the first left', async () => {
    const pool = new WorkerPool(new ModelRegistry());
    const server = await worker();
    const first = await dialled(server);
    await pool.join(first);
    await expect(pool.join(await dialled(server))).rejects.toMatchObject({ code: 'IM_WORKER_ID_IN_USE' });
    expect(pool.size).toBe(1);
    await first.close();
    await expect.poll(() => pool.size).toBe(0);
    await pool.join(await dialled(server));
    expect(pool.size).toBe(1);
  });

  it('with per-worker credentials, refuses a worker that calls itself by another id than its token names (IM_WORKER_ID_MISMATCH)', async () => {
    const pool = new WorkerPool(new ModelRegistry());
    const tokens: Record<string, string> = { 'token-of-w1-000000': 'w1', 'token-of-w2-000000': 'w2' };
    const coordinator = await listen({ port: 0, protocol: workerProtocol, authenticate: (t) => (t === undefined ? undefined : tokens[t]) });
    open.push(coordinator);
    const results: Array<string | undefined> = [];
    coordinator.on('connection', (peer) => void pool.join(peer).then((i) => results.push(i.workerId), (e: { code?: string }) => results.push(e.code)));
    const join = async (token: string, workerId: string): Promise<void> => {
      const before = results.length;
      const described: WorkerInfo = { workerId, pid: 1, maxConcurrency: 1, models: [spec], shards: {}, role: 'model', stages: {}, repository: [], placeable: [] };
      const peer = dial(`ws://127.0.0.1:${coordinator.port}`, {
        protocol: workerProtocol, secret: token, reconnect: false,
        handlers: { describe: () => described, infer: async () => ({ items: [], computeMs: 0 }) },
      });
      open.push(peer);
      await peer.ready();
      await expect.poll(() => results.length).toBe(before + 1);
    };
    await join('token-of-w2-000000', 'w1');
    await join('token-of-w1-000000', 'w1');
    expect(results).toEqual(['IM_WORKER_ID_MISMATCH', 'w1']);
    expect(pool.withIdentity(new Set(['w1'])).map((w) => w.info.workerId)).toEqual(['w1']);
    expect(pool.withIdentity(new Set(['w2']))).toEqual([]);
  });
});
