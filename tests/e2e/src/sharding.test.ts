import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, variantRepository } from './fixtures.js';
import { mlpExpected, mlpInput } from './references.js';

let cluster: Cluster;

beforeAll(async () => {
  // The MLP split into two shards: worker-1 holds shard 0, worker-2 and worker-3 hold shard 1.
  const repository = await variantRepository({ mlp: 'shards: 2' });
  cluster = await startCluster({ repository, workers: 0, coordinatorArgs: ['--heartbeat-ms', '500', '--cache', 'off'] });
  await cluster.addWorker(['--shard', '0']);
  await cluster.addWorker(['--shard', '1']);
  await cluster.addWorker(['--shard', '1']);
});
afterAll(async () => {
  await cluster?.stop();
});

const HOLDERS: Record<number, string[]> = { 0: ['worker-1'], 1: ['worker-2', 'worker-3'] };

async function ask(key: string, seed: number) {
  const data = mlpInput(1, seed);
  const res = await http(cluster, '/v2/models/mlp/infer', {
    json: { parameters: { routing_key: key }, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data }] },
  });
  return { res, data };
}

describe('a sharded model', () => {
  it('sends each request to a worker holding its shard, the same shard for the same key', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const key = `user-${i % 10}`;
      const { res, data } = await ask(key, i);
      expect(res.status).toBe(200);
      const { infermesh_shard: shard, infermesh_worker: worker } = res.body.parameters;
      expect(HOLDERS[shard]).toContain(worker);
      if (seen.has(key)) expect(seen.get(key)).toBe(shard);
      seen.set(key, shard);
      const expected = mlpExpected(data, 1);
      expect(Math.max(...res.body.outputs[0].data.map((x: number, k: number) => Math.abs(x - expected[k]!)))).toBeLessThan(1e-4);
    }
    expect(new Set(seen.values())).toEqual(new Set([0, 1]));
  });

  it('moves a shard to its replica when its worker dies, and says clearly when no replica is left', async () => {
    let key1 = '';
    let key0 = '';
    for (let i = 0; !(key1 && key0); i++) {
      const { res } = await ask(`k${i}`, i);
      if (res.body.parameters.infermesh_shard === 1) key1 ||= `k${i}`;
      else key0 ||= `k${i}`;
    }
    cluster.workers[1]!.child.kill('SIGKILL'); // worker-2, one of shard 1's two holders
    for (let i = 0; i < 10; i++) {
      const { res } = await ask(key1, 1000 + i);
      expect(res.status).toBe(200);
      expect(res.body.parameters).toMatchObject({ infermesh_shard: 1, infermesh_worker: 'worker-3' });
    }
    cluster.workers[0]!.child.kill('SIGKILL'); // worker-1, shard 0's only holder
    await expect.poll(async () => (await ask(key0, 1)).res.status, { timeout: 5_000 }).toBe(503);
    const { res } = await ask(key0, 2);
    expect(res.body).toMatchObject({ code: 'IM_NO_WORKER', error: expect.stringContaining('shard 0') });
    expect((await ask(key1, 3)).res.status).toBe(200);
  });
});
