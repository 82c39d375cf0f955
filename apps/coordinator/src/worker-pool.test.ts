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
  const described: WorkerInfo = { workerId: 'w1', pid: 1, maxConcurrency: 3, models: [spec], shards: {}, role: 'model', stages: {}, repository: [], ...info };
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
});
