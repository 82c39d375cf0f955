import { APP_ENTRY, spawnApp, type Cluster, type ManagedProcess } from '@infermesh/launcher';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCluster, demoRepository, http } from './fixtures.js';

let cluster: Cluster;
let intruder: ManagedProcess | undefined;
const SECRET = 'the-right-secret-01';
beforeAll(async () => {
  // The right secret from the environment on both sides (INFERMESH_SECRET), as an operator would set it.
  cluster = await demoCluster({ workers: 1, workerAuth: 'custom', env: { INFERMESH_SECRET: SECRET } });
});
afterAll(async () => {
  await intruder?.stop();
  await cluster?.stop();
});

it('a worker with the wrong secret cannot register; one with the right secret serves', async () => {
  intruder = spawnApp({
    name: 'intruder',
    entry: APP_ENTRY.worker,
    args: ['--id', 'intruder', '--repository', await demoRepository(), '--model', 'noop', '--coordinator', cluster.workerAddress, '--secret', 'a-wrong-secret-02'],
  });
  const lost = await intruder.waitFor('coordinator connection lost', { timeoutMs: 30_000 });
  expect(String(lost.reason ?? '') + String(lost.code ?? '')).not.toBe('');
  expect(intruder.output.join('\n')).not.toMatch(/registered with coordinator/);

  const workers = (await http(cluster, '/v2/status')).body.workers.map((w: { workerId: string }) => w.workerId);
  expect(workers).toEqual(['worker-1']);
  for (let i = 0; i < 20; i++) {
    const res = await http(cluster, '/v2/models/noop/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [i, 1, 2, 3] }] } });
    expect(res.status).toBe(200);
    expect(res.body.parameters.infermesh_worker).toBe('worker-1');
  }
  // A wrong secret does not fix itself: the intruder does not keep knocking.
  await new Promise((r) => setTimeout(r, 500));
  expect(intruder.output.filter((l) => l.includes('coordinator connection lost'))).toHaveLength(1);

  // A second worker started the same way as the first (right secret) joins and serves.
  await cluster.addWorker(['--model', 'noop']);
  const ids = new Set<string>();
  for (let i = 0; i < 40 && ids.size < 2; i++) {
    const res = await http(cluster, '/v2/models/noop/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [i, 4, 5, 6] }] } });
    expect(res.status).toBe(200);
    ids.add(res.body.parameters.infermesh_worker);
  }
  expect([...ids].sort()).toEqual(['worker-1', 'worker-2']);
});
