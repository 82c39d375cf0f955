import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from './fixtures.js';
import { mlpExpected, mlpInput } from './references.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await demoCluster({ workers: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('a worker killed under load', () => {
  it('is taken out of rotation and its requests are retried on another worker, so no client request fails', async () => {
    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    const client = async (c: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const data = mlpInput(2, c * 100_000 + i);
        sent++;
        const res = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 64], data }] } });
        if (res.status !== 200) failures.push(`${res.status} ${JSON.stringify(res.body)}`);
        else {
          const expected = mlpExpected(data, 2);
          const diff = Math.max(...res.body.outputs[0].data.map((x: number, k: number) => Math.abs(x - expected[k]!)));
          if (diff > 1e-4) failures.push(`wrong answer (diff ${diff})`);
        }
      }
    };
    const clients = Array.from({ length: 16 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 1_000));
    const victim = cluster.workers[1]!;
    const before = (await http(cluster, '/v2/status')).body.workers.find((w: { workerId: string }) => w.workerId === victim.name);
    expect(before.served).toBeGreaterThan(0);
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await expect.poll(async () => (await http(cluster, '/v2/status')).body.workers.length, { timeout: 5_000, interval: 20 }).toBe(2);
    const detectedMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 1_000));
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    // A killed process's socket closes at once; the heartbeat (500 ms here) covers a silent one.
    expect(detectedMs).toBeLessThan(1_500);
    const after = (await http(cluster, '/v2/status')).body.workers;
    expect(after.map((w: { workerId: string }) => w.workerId).sort()).toEqual(['worker-1', 'worker-3']);
  });
});
