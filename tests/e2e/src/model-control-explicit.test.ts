import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from './fixtures.js';

// A worker started with `--model-control explicit` loads nothing until the coordinator asks (Triton's
// --model-control-mode=explicit); a worker started without it holds only what `--model` names.
let cluster: Cluster;

beforeAll(async () => {
  cluster = await demoCluster({ workers: 1, workerArgs: ['--model-control', 'explicit'] });
});
afterAll(async () => {
  await cluster?.stop();
});

const noop = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };

describe('explicit model control', () => {
  it('starts with every model of the repository unloaded, and the server not ready', async () => {
    const index = await http(cluster, '/v2/repository/index', { method: 'POST' });
    expect(index.body).toEqual(['mlp', 'noop', 'sentiment'].map((name) => ({ name, version: '', state: 'UNAVAILABLE', reason: 'unloaded' })));
    expect((await http(cluster, '/v2/health/ready')).status).toBe(503);
    expect(await http(cluster, '/v2/models/noop/infer', { json: noop })).toMatchObject({ status: 404, body: { code: 'IM_MODEL_NOT_FOUND' } });
  });

  it('loads one model on request: only that one becomes ready and is served', async () => {
    expect((await http(cluster, '/v2/repository/models/noop/load', { method: 'POST' })).status).toBe(200);
    expect((await http(cluster, '/v2/health/ready')).status).toBe(200);
    const answer = await http(cluster, '/v2/models/noop/infer', { json: noop });
    expect(answer).toMatchObject({ status: 200, body: { outputs: [{ data: [1, 2, 3, 4] }] } });
    expect((await http(cluster, '/v2/repository/index', { json: { ready: true } })).body).toEqual([{ name: 'noop', version: '1', state: 'READY', reason: '' }]);
    expect((await http(cluster, '/v2/models/mlp/ready')).status).toBe(404);
  });

  it('a load reaches every worker whose repository holds the model, and only those', async () => {
    // worker-2 starts explicit too, holding only noop: nothing loaded until asked.
    await cluster.addWorker(['--model', 'noop']);
    const status = (await http(cluster, '/v2/status')).body.workers;
    expect(status.map((w: { models: string[] }) => w.models)).toEqual([['noop:1'], []]);
    expect((await http(cluster, '/v2/models/noop/config')).body.instance_group[0].count).toBe(1);
    expect((await http(cluster, '/v2/repository/models/noop/load', { method: 'POST' })).status).toBe(200);
    expect((await http(cluster, '/v2/status')).body.workers.map((w: { models: string[] }) => w.models)).toEqual([['noop:1'], ['noop:1']]);
    expect((await http(cluster, '/v2/models/noop/config')).body.instance_group[0].count).toBe(2);
    // sentiment is only in worker-1's repository view (worker-2 holds only noop): one instance.
    expect((await http(cluster, '/v2/repository/models/sentiment/load', { method: 'POST' })).status).toBe(200);
    expect((await http(cluster, '/v2/models/sentiment/config')).body.instance_group[0].count).toBe(1);
    // Unloading noop drops it from both workers.
    expect((await http(cluster, '/v2/repository/models/noop/unload', { method: 'POST' })).status).toBe(200);
    const after = (await http(cluster, '/v2/status')).body.workers;
    expect(after.map((w: { models: string[] }) => w.models)).toEqual([['sentiment:1'], []]);
  });
});
