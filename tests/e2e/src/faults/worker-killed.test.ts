import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCluster, http } from '../fixtures.js';
import { recordFigures } from './figures.js';
import { mlpLoad } from './mlp-load.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await demoCluster({ workers: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

it('a worker SIGKILLed mid-batch: every request is answered correctly or refused with a documented code', async () => {
  const load = mlpLoad(cluster, { clients: 8, rows: 48, maxPerClient: 400 });
  await new Promise((r) => setTimeout(r, 1_000));
  const victim = cluster.workers[1]!;
  const busy = (await http(cluster, '/v2/status')).body.workers.find((w: { workerId: string }) => w.workerId === victim.name);
  expect(busy.served).toBeGreaterThan(0);
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await expect.poll(async () => (await http(cluster, '/v2/status')).body.workers.length, { timeout: 5_000, interval: 20 }).toBe(1);
  const detectedMs = Date.now() - killedAt;
  await new Promise((r) => setTimeout(r, 1_000));
  const result = await load.stop();
  recordFigures('worker-sigkill', { detectedMs, sent: result.sent, ok: result.ok, refused: result.refused.length, wrong: result.wrong.length, lost: result.lost.length });
  expect(result.wrong).toEqual([]);
  expect(result.lost).toEqual([]);
  expect(result.ok + result.refused.length).toBe(result.sent);
  expect(result.sent).toBeGreaterThan(20);
  expect(detectedMs).toBeLessThan(1_500);
  // The survivor keeps serving.
  expect((await http(cluster, '/v2/models/mlp/ready')).status).toBe(200);
});
