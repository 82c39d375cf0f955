import { request } from 'node:http';
import { createServer } from 'node:net';
import { APP_ENTRY, spawnApp, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, demoRepository } from './fixtures.js';
import { mlpExpected, mlpInput } from './references.js';

// A coordinator of two processes (`--processes 2`) sharing its ports, each with the demo mlp and noop inline.
let cluster: Cluster;

beforeAll(async () => {
  const repository = await demoRepository();
  cluster = await demoCluster({
    workers: 0, workerPort: null,
    coordinatorArgs: ['--processes', '2', '--embedded-repository', repository, '--embedded-inline-model', 'mlp,noop'],
  });
  // Both serve before the tests start (the first 'coordinator listening' is one process's).
  for (let i = 0; i < 600 && !cluster.coordinator.output.some((l) => l.includes('"coordinator processes serving"')); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

interface Answer { status: number; body: any; headers: Record<string, string | string[] | undefined> }

/** Two free consecutive loopback ports (a group's worker ports). */
async function freePortPair(): Promise<number> {
  const free = (port: number) => new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    if ((await free(base)) && (await free(base + 1))) return base;
  }
}

/** One request on a connection of its own: the group's primary hands each new connection to its next process. */
function fresh(path: string, init: { json?: unknown; headers?: Record<string, string>; method?: string } = {}): Promise<Answer> {
  const url = new URL(path, cluster.url);
  const body = init.json === undefined ? undefined : JSON.stringify(init.json);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent: false, method: init.method ?? (body ? 'POST' : 'GET'),
      headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const mlpRequest = (seed: number) => ({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, seed) }] });

/** The counter's value in a scrape (0 when absent). */
function counter(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The pid of each process of the group, from its 'coordinator listening' lines (the latest per index). */
function processPids(): Map<number, number> {
  const pids = new Map<number, number>();
  for (const raw of cluster.coordinator.output) {
    if (!raw.includes('"coordinator listening"')) continue;
    const line = JSON.parse(raw.slice(raw.indexOf('{'))) as { process?: number; pid: number };
    if (line.process !== undefined) pids.set(line.process, line.pid);
  }
  return pids;
}

describe('a coordinator of several processes (--processes)', () => {
  it('serves from every process, each with its own inline model, with the reference answers', async () => {
    const served = new Map<string, number>();
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => fresh('/v2/models/mlp/infer', { json: mlpRequest(i) }).then((a) => [i, a] as const)));
    for (const [i, a] of answers) {
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      const expected = mlpExpected(mlpInput(1, i), 1);
      (a.body.outputs[0].data as number[]).forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 4));
      served.set(a.body.parameters.infermesh_worker, (served.get(a.body.parameters.infermesh_worker) ?? 0) + 1);
    }
    expect([...served.keys()].sort()).toEqual(['p1-inline', 'p2-inline']);
  });

  it('answers /metrics with every process\'s metrics merged, whichever process takes the scrape', async () => {
    const series = 'infermesh_requests_total{model="noop",version="1",outcome="ok"}';
    const before = counter((await fresh('/metrics')).body as string, series);
    const n = 30;
    const answers = await Promise.all(Array.from({ length: n }, () => fresh('/v2/models/noop/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } })));
    expect(new Set(answers.map((a) => a.body.parameters.infermesh_worker)).size).toBe(2);
    // Four scrapes on four connections: both processes take some, and each answers the group's total.
    for (let i = 0; i < 4; i++) {
      const scrape = await fresh('/metrics');
      expect(scrape.status).toBe(200);
      expect(counter(scrape.body as string, series) - before).toBe(n);
      expect(scrape.body).toContain('infermesh_worker_state{worker="p1-inline",state="healthy"} 1');
      expect(scrape.body).toContain('infermesh_worker_state{worker="p2-inline",state="healthy"} 1');
    }
  });

  it('unloads and loads a model in every process, whichever process takes the request', async () => {
    const unload = await fresh('/v2/repository/models/noop/unload', { json: {} });
    expect(unload.status, JSON.stringify(unload.body)).toBe(200);
    const gone = await Promise.all(Array.from({ length: 8 }, () => fresh('/v2/models/noop/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } })));
    for (const a of gone) expect([a.status, a.body.code]).toEqual([404, 'IM_MODEL_NOT_FOUND']);

    const load = await fresh('/v2/repository/models/noop/load', { json: {} });
    expect(load.status, JSON.stringify(load.body)).toBe(200);
    const back = await Promise.all(Array.from({ length: 8 }, () => fresh('/v2/models/noop/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } })));
    for (const a of back) expect(a.status).toBe(200);
    expect(new Set(back.map((a) => a.body.parameters.infermesh_worker))).toEqual(new Set(['p1-inline', 'p2-inline']));
  });

  it('hands an async result over from whichever process ran it', async () => {
    const submits = await Promise.all(Array.from({ length: 4 }, (_, i) => fresh('/v2/models/mlp/infer', { json: mlpRequest(100 + i), headers: { prefer: 'respond-async' } })));
    for (const [i, s] of submits.entries()) {
      expect(s.status).toBe(202);
      // Each fetch on a new connection: half of them reach the process that does not hold the job.
      for (let k = 0; k < 4; k++) {
        let got = await fresh(`/v2/requests/${s.body.id}`);
        for (let wait = 0; got.status === 202 && wait < 50; wait++) got = await fresh(`/v2/requests/${s.body.id}`);
        expect(got.status, JSON.stringify(got.body)).toBe(200);
        const expected = mlpExpected(mlpInput(1, 100 + i), 1);
        expect(got.body.status).toBe('done');
        (got.body.response.outputs[0].data as number[]).forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 4));
      }
    }
    const unknown = await fresh('/v2/requests/no-such-job');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'IM_REQUEST_NOT_FOUND']);
  });

  it('finds a trace in whichever process recorded it', async () => {
    const traceIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const traceId = `${'ab'.repeat(15)}${String(i).padStart(2, '0')}`;
      const res = await fresh('/v2/models/mlp/infer', { json: mlpRequest(i), headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      expect(res.headers['x-request-id']).toBe(traceId);
      traceIds.push(traceId);
    }
    for (const traceId of traceIds) {
      for (let k = 0; k < 4; k++) {
        const stored = await fresh(`/v2/traces/${traceId}`);
        expect(stored.status, JSON.stringify(stored.body)).toBe(200);
        expect(stored.body.traceId).toBe(traceId);
      }
    }
    const unknown = await fresh(`/v2/traces/${'cd'.repeat(16)}`);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'IM_NOT_FOUND']);
  });

  it('forks a process that dies again, and serves from the other meanwhile', async () => {
    const pids = processPids();
    expect([...pids.keys()].sort()).toEqual([1, 2]);
    const noticed = cluster.coordinator.waitFor('coordinator process died: forking it again', { match: (l) => l.child === 1 });
    const back = cluster.coordinator.waitFor('coordinator listening', { timeoutMs: 60_000, match: (l) => l.process === 1 });
    process.kill(pids.get(1)!, 'SIGKILL');
    // Once the primary has noticed (until then node:cluster may still hand it a connection), every new connection goes to process 2.
    await noticed;
    const during = await Promise.all(Array.from({ length: 10 }, (_, i) => fresh('/v2/models/mlp/infer', { json: mlpRequest(i) })));
    for (const a of during) expect(a.status).toBe(200);
    await back;
    expect(processPids().get(1)).not.toBe(pids.get(1));
    const served = new Set<string>();
    for (let round = 0; round < 5 && served.size < 2; round++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => fresh('/v2/models/mlp/infer', { json: mlpRequest(i) })));
      for (const a of answers) {
        expect(a.status).toBe(200);
        served.add(a.body.parameters.infermesh_worker);
      }
    }
    expect([...served].sort()).toEqual(['p1-inline', 'p2-inline']);
  }, 90_000);

  it('gives each process a worker port of its own: a worker dialling each joins the whole group', async () => {
    const base = await freePortPair();
    const group = await demoCluster({ workers: 0, processes: 2, workerPort: base });
    try {
      expect(group.workerAddresses).toEqual([`127.0.0.1:${base}`, `127.0.0.1:${base + 1}`]);
      // Resolves once both processes logged 'worker joined' for it (the launcher waits for each).
      await group.addWorker(['--model', 'noop']);
      // noop is served by that worker alone: a process that had not admitted it would not serve it.
      const answers = await Promise.all(Array.from({ length: 8 }, () => fresh(`${group.url}/v2/models/noop/infer`, {
        json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] },
      })));
      expect(answers.map((a) => [a.status, a.body.parameters?.infermesh_worker])).toEqual(Array.from({ length: 8 }, () => [200, 'worker-1']));
    } finally {
      await group.stop();
    }
  }, 120_000);

  it('gives each process a free worker port of its own with --worker-port 0, which a worker dialling each joins', async () => {
    const group = await demoCluster({ workers: 0, processes: 2, workerPort: 0 });
    try {
      // Learned from each process's "worker channel listening" line, as for a lone coordinator on port 0.
      const ports = group.workerAddresses.map((a) => Number(a.split(':')[1]));
      expect(ports.every((p) => p > 1024), String(ports)).toBe(true);
      expect(new Set(ports).size).toBe(2);
      await group.addWorker(['--model', 'noop']);
      const answer = await fresh(`${group.url}/v2/models/noop/infer`, { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } });
      expect([answer.status, answer.body.parameters?.infermesh_worker]).toEqual([200, 'worker-1']);
    } finally {
      await group.stop();
    }
  }, 120_000);
});
