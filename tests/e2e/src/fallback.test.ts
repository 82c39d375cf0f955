import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRepository, http, variantRepository } from './fixtures.js';

let cluster: Cluster;
const body = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };

beforeAll(async () => {
  // worker-1 serves noop versions 1 and 2; worker-2 only version 1.
  const twoVersions = await variantRepository({ noop: 'versionPolicy: { all: true }' });
  cpSync(join(twoVersions, 'noop', '1'), join(twoVersions, 'noop', '2'), { recursive: true });
  cluster = await startCluster({
    repository: twoVersions,
    workers: 0,
    coordinatorArgs: ['--heartbeat-ms', '500', '--cache', 'off', '--fallback', 'noop:2=noop:1'],
  });
  await cluster.addWorker(['--model', 'noop']);
  await cluster.addWorker(['--model', 'noop', '--repository', await demoRepository()]);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('fallback to another version', () => {
  it('answers with the version asked for while it has a worker, and with the fallback once it has none', async () => {
    const v2 = await http(cluster, '/v2/models/noop/versions/2/infer', { json: body });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ model_version: '2', parameters: { infermesh_worker: 'worker-1' } });
    expect(v2.body.parameters.infermesh_fallback_from).toBeUndefined();

    cluster.workers[0]!.child.kill('SIGKILL');
    await expect.poll(async () => (await http(cluster, '/v2/models/noop/versions/2/ready')).status, { timeout: 5_000 }).toBe(503);

    for (const path of ['/v2/models/noop/versions/2/infer', '/v2/models/noop/infer']) {
      const res = await http(cluster, path, { json: body });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        model_name: 'noop',
        model_version: '1',
        parameters: { infermesh_worker: 'worker-2', infermesh_fallback_from: 'noop:2' },
      });
      expect(res.body.outputs[0].data).toEqual([1, 2, 3, 4]);
    }
    // Version 1 is still served as itself.
    expect((await http(cluster, '/v2/models/noop/versions/1/infer', { json: body })).status).toBe(200);
  });
});
