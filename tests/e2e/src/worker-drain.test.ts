import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from './fixtures.js';
import { mlpExpected, mlpInput } from './references.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await demoCluster({ workers: 2, coordinatorArgs: ['--cache', 'off'] });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('a worker stopped with SIGTERM under load', () => {
  it('leaves rotation first, finishes its batches, exits cleanly, and no request fails', async () => {
    let stop = false;
    const failures: string[] = [];
    let answered = 0;
    const client = async (c: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const data = mlpInput(4, c * 10_000 + i);
        const res = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [4, 64], data }] } });
        if (res.status !== 200) failures.push(`${res.status} ${JSON.stringify(res.body)}`);
        else {
          const expected = mlpExpected(data, 4);
          if (Math.max(...res.body.outputs[0].data.map((x: number, k: number) => Math.abs(x - expected[k]!))) > 1e-4) failures.push('wrong answer');
          answered++;
        }
      }
    };
    const clients = Array.from({ length: 12 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 800));
    const victim = cluster.workers[0]!;
    const draining = cluster.coordinator.waitFor('worker draining', { match: (l) => l.worker === victim.name });
    const drained = victim.waitFor('worker drained');
    victim.child.kill('SIGTERM');
    await draining;
    expect((await drained).inFlight).toBe(0);
    expect(await victim.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(50);
    const workers = (await http(cluster, '/v2/status')).body.workers.map((w: { workerId: string }) => w.workerId);
    expect(workers).toEqual(['worker-2']);
  });
});
