import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterEach, describe, expect, it } from 'vitest';
import { http } from '../fixtures.js';
import { faultyEchoRepository, honestEchoRepository } from './faulty-repository.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const echo = (i: number) => ({ json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [i, i + 1, i + 2, i + 3] }] } });
const workerIds = async (c: Cluster): Promise<string[]> => (await http(c, '/v2/status')).body.workers.map((w: { workerId: string }) => w.workerId).sort();

describe('a worker that breaks its model\'s declared outputs (it holds the cluster token: a broken or compromised worker)', () => {
  it('is ejected with IM_WORKER_CONTRACT; the batch is answered by another worker; its cached answers are dropped; it stays out', async () => {
    const switchFile = join(tmpdir(), `im-e2e-fault-${process.pid}-${Date.now()}`);
    cluster = await startCluster({ repository: honestEchoRepository(), workers: 1, coordinatorArgs: ['--heartbeat-ms', '500', '--balancer', 'round-robin'] });
    await cluster.addWorker(['--repository', faultyEchoRepository(switchFile)]);
    expect(await workerIds(cluster)).toEqual(['worker-1', 'worker-2']);

    // Wrong but well-formed answers: no contract check can see them, and the cache keeps them.
    const cachedWrong: number[] = [];
    for (let i = 0; cachedWrong.length < 3 && i < 60; i++) {
      const res = await http(cluster, '/v2/models/echo/infer', echo(i));
      expect(res.status).toBe(200);
      if (res.body.parameters.infermesh_worker === 'worker-2') {
        expect(res.body.outputs[0].data).toEqual([-i, -i - 1, -i - 2, -i - 3]);
        cachedWrong.push(i);
      }
    }
    expect(cachedWrong).toHaveLength(3);
    const again = await http(cluster, '/v2/models/echo/infer', echo(cachedWrong[0]!));
    expect([again.body.parameters.infermesh_cache, again.body.parameters.infermesh_worker]).toEqual(['hit', 'worker-2']);

    // Now its outputs break the declaration: the next batch it gets is caught before any client or the cache sees it.
    writeFileSync(switchFile, '');
    const ejected = cluster.coordinator.waitFor('worker broke its model\'s contract: ejected', { timeoutMs: 30_000 });
    for (let i = 100; i < 120; i++) {
      const res = await http(cluster, '/v2/models/echo/infer', echo(i));
      expect(res.status).toBe(200);
      expect(res.body.parameters.infermesh_worker).toBe('worker-1');
      expect(res.body.outputs[0]).toMatchObject({ shape: [1, 4], data: [i, i + 1, i + 2, i + 3] });
    }
    const line = await ejected;
    expect(line).toMatchObject({ worker: 'worker-2', code: 'IM_WORKER_CONTRACT', lane: 'echo:1' });
    expect(String(line.detail)).toContain("output 'output' has shape [1, 3], declared [-1, 4]");
    expect(await workerIds(cluster)).toEqual(['worker-1']);

    // What it put in the cache is not served again: computed afresh, by the honest worker.
    for (const i of cachedWrong) {
      const res = await http(cluster, '/v2/models/echo/infer', echo(i));
      expect(res.status).toBe(200);
      expect(res.body.parameters).toMatchObject({ infermesh_worker: 'worker-1', infermesh_cache: 'miss' });
      expect(res.body.outputs[0].data).toEqual([i, i + 1, i + 2, i + 3]);
    }
    const stats = (await http(cluster, '/v2/status')).body;
    expect(JSON.stringify(stats)).toContain('"dropped":3');

    // It reconnects on its own, and is refused for the quarantine period.
    const refused = await cluster.coordinator.waitFor('worker refused', { timeoutMs: 30_000, match: (l) => l.code === 'IM_WORKER_CONTRACT' });
    expect(String((refused.err as { message?: string }).message)).toMatch(/worker "worker-2" was ejected for breaking its model's contract/);
    expect(await workerIds(cluster)).toEqual(['worker-1']);
  });

  it('when it is the only worker, the client gets a coded 502 (IM_WORKER_FAILED), never its outputs', async () => {
    const switchFile = join(tmpdir(), `im-e2e-fault-only-${process.pid}-${Date.now()}`);
    writeFileSync(switchFile, '');
    cluster = await startCluster({ repository: faultyEchoRepository(switchFile), workers: 1, coordinatorArgs: ['--heartbeat-ms', '500'] });
    const res = await http(cluster, '/v2/models/echo/infer', echo(1));
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'IM_WORKER_FAILED' });
    expect(res.body.error).toContain('outside its declared outputs');
    expect(await workerIds(cluster)).toEqual([]);
    // The process keeps serving: the next request is a coded 503, no worker left.
    const next = await http(cluster, '/v2/models/echo/infer', echo(2));
    expect(next.body.code).toMatch(/^IM_(NO_WORKER|MODEL_NOT_FOUND)$/);
  });
});
