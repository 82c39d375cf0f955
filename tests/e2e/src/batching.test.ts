import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from './fixtures.js';
import { mlpExpected, mlpInput } from './references.js';

let cluster: Cluster;

beforeAll(async () => {
  // A generous delay so that a burst is certain to meet in batches on a busy 2-core machine.
  cluster = await demoCluster({ workers: 1, coordinatorArgs: ['--max-delay-ms', '20'] });
});
afterAll(async () => {
  await cluster?.stop();
});

const served = async (): Promise<number> =>
  (await http(cluster, '/v2/status')).body.workers.reduce((n: number, w: { served: number }) => n + w.served, 0);

describe('dynamic batching', () => {
  it('answers 64 concurrent requests with fewer worker calls than requests, each with its own output', async () => {
    const before = await served();
    const inputs = Array.from({ length: 64 }, (_, i) => mlpInput(1 + (i % 3), 500 + i));
    const answers = await Promise.all(
      inputs.map((data) =>
        http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [data.length / 64, 64], data }] } }),
      ),
    );
    const calls = (await served()) - before;
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(64);
    answers.forEach((res, i) => {
      expect(res.status).toBe(200);
      const rows = inputs[i]!.length / 64;
      expect(res.body.outputs[0].shape).toEqual([rows, 16]);
      const expected = mlpExpected(inputs[i]!, rows);
      const diff = Math.max(...res.body.outputs[0].data.map((x: number, k: number) => Math.abs(x - expected[k]!)));
      expect(diff).toBeLessThan(1e-4);
    });
    const { batching } = (await http(cluster, '/v2/status')).body;
    expect(batching.enabled).toBe(true);
    expect(batching.models['mlp:1'].items).toBeGreaterThanOrEqual(64);
    expect(batching.models['mlp:1'].batches).toBeLessThan(batching.models['mlp:1'].items);
  });
});
