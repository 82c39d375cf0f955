import { APP_ENTRY, spawnApp, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, demoRepository, http } from './fixtures.js';
import { mlpExpected, mlpInput } from './references.js';

let cluster: Cluster;

beforeAll(async () => {
  const repository = await demoRepository();
  cluster = await demoCluster({ workers: 0, coordinatorArgs: ['--embedded-workers', '2', '--embedded-repository', repository] });
});
afterAll(async () => {
  await cluster?.stop();
});

describe('embedded workers: models on threads of the coordinator', () => {
  it('serve the demo models with no worker process, with the reference answers', async () => {
    const status = await http(cluster, '/v2/status');
    const workers = status.body.workers as Array<{ workerId: string; address: string; models: string[] }>;
    expect(workers.map((w) => w.workerId).sort()).toEqual(['embedded-1', 'embedded-2']);
    expect(workers[0]!.address).toMatch(/^thread:embedded-/);
    expect(workers[0]!.models).toEqual(expect.arrayContaining(['mlp:1', 'sentiment:1', 'noop:1']));

    const rows = 4;
    const data = mlpInput(rows, 3);
    const res = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64], data }] } });
    expect(res.status).toBe(200);
    const expected = mlpExpected(data, rows);
    (res.body.outputs[0].data as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));

    const text = await http(cluster, '/v2/models/sentiment/infer', {
      json: { inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: ['I love this wonderful film', 'awful, boring and bad'] }] },
    });
    expect(text.body.outputs[0].data).toEqual(['positive', 'negative']);
  });

  it('sit behind the same lanes as remote workers: a worker process that joins shares the load', async () => {
    await cluster.addWorker();
    const served = new Set<string>();
    // Concurrent, distinct requests: the balancer spreads them over the embedded threads and the process.
    for (let round = 0; round < 10 && served.size < 3; round++) {
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, round * 100 + i) }] } }),
        ),
      );
      for (const a of answers) {
        expect(a.status).toBe(200);
        served.add(a.body.parameters.infermesh_worker);
      }
    }
    expect([...served].sort()).toEqual(['embedded-1', 'embedded-2', 'worker-1']);
  });

  it('inline models run on the HTTP thread, the rest on the worker threads, with the same answers', async () => {
    const repository = await demoRepository();
    const mixed = await demoCluster({ workers: 0, coordinatorArgs: ['--embedded-workers', '1', '--embedded-repository', repository, '--embedded-inline-model', 'mlp,noop'] });
    try {
      const status = await http(mixed, '/v2/status');
      const workers = status.body.workers as Array<{ workerId: string; address: string; models: string[] }>;
      const byId = Object.fromEntries(workers.map((w) => [w.workerId, w]));
      expect(Object.keys(byId).sort()).toEqual(['embedded-1', 'inline']);
      expect(byId.inline!.address).toBe('local:inline');
      expect(byId.inline!.models.sort()).toEqual(['mlp:1', 'noop:1']);
      expect(byId['embedded-1']!.models).toEqual(['sentiment:1']);

      const rows = 3;
      const data = mlpInput(rows, 11);
      const answers = await Promise.all(Array.from({ length: 16 }, () =>
        http(mixed, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64], data }] } })));
      const expected = mlpExpected(data, rows);
      for (const res of answers) {
        expect(res.status).toBe(200);
        expect(res.body.parameters.infermesh_worker).toBe('inline');
        (res.body.outputs[0].data as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
      }
      const text = await http(mixed, '/v2/models/sentiment/infer', {
        json: { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['I love this wonderful film'] }] },
      });
      expect(text.body.outputs[0].data).toEqual(['positive']);
      expect(text.body.parameters.infermesh_worker).toBe('embedded-1');
    } finally {
      await mixed.stop();
    }
  });

  it('an inline model the repository lacks stops the coordinator at start, naming it', async () => {
    const coordinator = spawnApp({
      name: 'coordinator-bad-inline',
      entry: APP_ENTRY.coordinator,
      args: ['--listen-port', '0', '--worker-port', '0', '--insecure-workers', '--grpc-port', '0', '--embedded-repository', await demoRepository(), '--embedded-inline-model', 'nosuchmodel'],
    });
    const code = await coordinator.exited;
    expect(code).toBe(1);
    expect(coordinator.output.join('\n')).toMatch(/IM_HOST_THREAD_FAILED.*nosuchmodel/);
  });

  it('a repository that does not load stops the coordinator at start, naming the cause', async () => {
    const coordinator = spawnApp({
      name: 'coordinator-bad-embedded',
      entry: APP_ENTRY.coordinator,
      args: ['--listen-port', '0', '--worker-port', '0', '--insecure-workers', '--grpc-port', '0', '--embedded-workers', '1', '--embedded-repository', '/nonexistent/models'],
    });
    const code = await coordinator.exited;
    expect(code).toBe(1);
    expect(coordinator.output.join('\n')).toMatch(/IM_HOST_THREAD_FAILED.*IM_REGISTRY_/);
  });
});
