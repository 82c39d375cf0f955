import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ENTRY, spawnApp, startCluster, type Cluster, type ManagedProcess } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRepository, freePort, http, variantRepository } from './fixtures.js';
import { mlpInput } from './references.js';

const mlp = (seed: number) => ({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, seed) }] });
const served = async (c: Cluster): Promise<number> =>
  (await http(c, '/v2/status')).body.workers.reduce((n: number, w: { served: number }) => n + w.served, 0);

describe('the response cache (memory tier, the default)', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    const repository = await variantRepository({ noop: 'deterministic: false' });
    cluster = await startCluster({ repository, workers: 1, coordinatorArgs: ['--heartbeat-ms', '500'] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('answers a repeated request from the cache, saying so, with the same outputs', async () => {
    const first = await http(cluster, '/v2/models/mlp/infer', { json: mlp(1) });
    const second = await http(cluster, '/v2/models/mlp/infer', { json: mlp(1) });
    expect(first.headers.get('x-infermesh-cache')).toBe('miss');
    expect(second.headers.get('x-infermesh-cache')).toBe('hit');
    expect(second.body.parameters.infermesh_cache).toBe('hit');
    expect(second.body.outputs).toEqual(first.body.outputs);
    const other = await http(cluster, '/v2/models/mlp/infer', { json: mlp(2) });
    expect(other.headers.get('x-infermesh-cache')).toBe('miss');
  });

  it('runs the model once for identical requests in flight at once', async () => {
    const before = await served(cluster);
    const answers = await Promise.all(Array.from({ length: 12 }, () => http(cluster, '/v2/models/mlp/infer', { json: mlp(77) })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => JSON.stringify(a.body.outputs))).size).toBe(1);
    expect((await served(cluster)) - before).toBe(1);
  });

  it('never caches a model marked non-deterministic', async () => {
    const body = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };
    const before = await served(cluster);
    for (let i = 0; i < 3; i++) {
      const res = await http(cluster, '/v2/models/noop/infer', { json: body });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-infermesh-cache')).toBeNull();
    }
    expect((await served(cluster)) - before).toBe(3);
  });

  it('never caches a refused request', async () => {
    const bad = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: [1] }] };
    for (let i = 0; i < 2; i++) expect((await http(cluster, '/v2/models/mlp/infer', { json: bad })).status).toBe(400);
  });

  it('reports hits and misses in the status', async () => {
    const { cache } = (await http(cluster, '/v2/status')).body;
    expect(cache.tier).toBe('memory');
    expect(cache.hits).toBeGreaterThanOrEqual(1);
    expect(cache.misses).toBeGreaterThanOrEqual(2);
  });
});

describe('the response cache with a SQLite file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'im-e2e-cache-')), 'cache.sqlite');
  let workerPort: number;
  let httpPort: number;
  let worker: ManagedProcess;
  const processes: ManagedProcess[] = [];

  const coordinator = async (ttlMs: number): Promise<ManagedProcess> => {
    const p = spawnApp({
      name: 'coordinator',
      entry: APP_ENTRY.coordinator,
      args: ['--listen-port', String(httpPort), '--worker-port', String(workerPort), '--insecure-workers', '--grpc-port', '0', '--cache', 'sqlite', '--cache-file', file, '--cache-ttl-ms', String(ttlMs)],
    });
    processes.push(p);
    await p.waitFor('coordinator listening');
    return p;
  };
  const url = () => ({ url: `http://127.0.0.1:${httpPort}` }) as Cluster;
  const ready = () => expect.poll(async () => (await http(url(), '/v2/models/mlp/ready')).status, { timeout: 20_000, interval: 100 }).toBe(200);

  beforeAll(async () => {
    workerPort = await freePort();
    httpPort = await freePort();
    await coordinator(60_000);
    worker = spawnApp({
      name: 'worker',
      entry: APP_ENTRY.worker,
      args: ['--repository', await demoRepository(), '--coordinator', `127.0.0.1:${workerPort}`, '--heartbeat-ms', '500'],
    });
    processes.push(worker);
  });
  afterAll(async () => {
    await Promise.allSettled(processes.map((p) => p.stop()));
  });

  it('serves earlier answers as hits after the coordinator is killed and restarted, and not once they expire', async () => {
    // Each coordinator caps TTLs at its own `--cache-ttl-ms`; an entry keeps the expiry it was written with.
    const restart = async (ttlMs: number): Promise<void> => {
      const last = processes.filter((p) => p.name === 'coordinator').at(-1)!;
      last.child.kill('SIGKILL');
      await last.exited;
      await coordinator(ttlMs);
      await ready(); // the worker dials back in with its backoff
    };
    await ready();
    const first = await http(url(), '/v2/models/mlp/infer', { json: mlp(5) });
    expect(first.headers.get('x-infermesh-cache')).toBe('miss');

    await restart(500);
    const again = await http(url(), '/v2/models/mlp/infer', { json: mlp(5) });
    expect(again.headers.get('x-infermesh-cache')).toBe('hit');
    expect(again.body.outputs).toEqual(first.body.outputs);
    const short = await http(url(), '/v2/models/mlp/infer', { json: mlp(6) });
    expect(short.headers.get('x-infermesh-cache')).toBe('miss');
    const shortWrittenAt = Date.now();

    await new Promise((r) => setTimeout(r, Math.max(0, 500 - (Date.now() - shortWrittenAt)) + 100));
    await restart(60_000);
    // Written with 500 ms to live, expired while the coordinator was down: computed again, not served.
    const expired = await http(url(), '/v2/models/mlp/infer', { json: mlp(6) });
    expect(expired.headers.get('x-infermesh-cache')).toBe('miss');
    expect(expired.body.outputs).toEqual(short.body.outputs);
    expect((await http(url(), '/v2/models/mlp/infer', { json: mlp(5) })).headers.get('x-infermesh-cache')).toBe('hit');
  });
});
