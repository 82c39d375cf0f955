import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoCluster, http } from './fixtures.js';
import { mlpInput, mlpExpected, sentimentExpected } from './references.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await demoCluster({ workers: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

describe('a coordinator and two workers', () => {
  it('reports live, ready, server and model metadata', async () => {
    expect((await http(cluster, '/v2/health/live')).status).toBe(200);
    expect(await http(cluster, '/v2/health/ready')).toMatchObject({ status: 200, body: { ready: true } });
    expect((await http(cluster, '/v2')).body).toMatchObject({ name: 'infermesh', extensions: expect.arrayContaining(['async_infer']) });
    const meta = await http(cluster, '/v2/models/mlp');
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({
      name: 'mlp',
      versions: ['1'],
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 64] }],
      outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 16] }],
    });
    expect((await http(cluster, '/v2/models/mlp/versions/1')).body.name).toBe('mlp');
    expect(await http(cluster, '/v2/models/sentiment/ready')).toMatchObject({ status: 200, body: { ready: true } });
    expect((await http(cluster, '/v2/models/sentiment/versions/1/ready')).status).toBe(200);
  });

  it('answers the MLP over HTTP with the plain TypeScript reference values', async () => {
    const rows = 5;
    const data = mlpInput(rows, 1);
    const res = await http(cluster, '/v2/models/mlp/infer', {
      json: { id: 'req-1', inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64], data }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model_name: 'mlp', model_version: '1', id: 'req-1' });
    const [out] = res.body.outputs;
    expect(out).toMatchObject({ name: 'output', datatype: 'FP32', shape: [rows, 16] });
    expect(maxAbsDiff(out.data, mlpExpected(data, rows))).toBeLessThan(1e-4);
  });

  it('accepts nested row-major data and the versioned infer path', async () => {
    const flat = mlpInput(2, 7);
    const nested = [flat.slice(0, 64), flat.slice(64)];
    const res = await http(cluster, '/v2/models/mlp/versions/1/infer', {
      json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 64], data: nested }] },
    });
    expect(res.status).toBe(200);
    expect(maxAbsDiff(res.body.outputs[0].data, mlpExpected(flat, 2))).toBeLessThan(1e-4);
  });

  it('classifies text that a person can check, equal to the reference', async () => {
    const texts = ['I love this, what a wonderful day', 'This is terrible and I hate it', 'The table is brown'];
    const res = await http(cluster, '/v2/models/sentiment/infer', {
      json: { inputs: [{ name: 'text', datatype: 'BYTES', shape: [3], data: texts }] },
    });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.outputs.map((o: { name: string }) => [o.name, o]));
    expect(byName.label.data).toEqual(['positive', 'negative', 'neutral']);
    expect(byName.probabilities.shape).toEqual([3, 3]);
    const expected = await sentimentExpected(texts);
    expect(maxAbsDiff(byName.probabilities.data, expected.probabilities)).toBeLessThan(1e-4);
    expect(byName.label.data).toEqual(expected.labels);
  });

  it('returns only the requested outputs', async () => {
    const res = await http(cluster, '/v2/models/sentiment/infer', {
      json: { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['good'] }], outputs: [{ name: 'label' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.outputs.map((o: { name: string }) => o.name)).toEqual(['label']);
  });

  it('serves pipelined requests over the WebSocket client API, each with its own answer', async () => {
    const ws = new WebSocket(cluster.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const answers = new Map<string, any>();
    const done = new Promise<void>((resolve) => {
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw));
        answers.set(m.id, m);
        if (answers.size === 40) resolve();
      });
    });
    const inputs = Array.from({ length: 40 }, (_, i) => mlpInput(1, 100 + i));
    inputs.forEach((data, i) =>
      ws.send(JSON.stringify({
        type: 'infer', id: `q${i}`, model: 'mlp',
        request: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data }] },
      })),
    );
    await done;
    ws.close();
    inputs.forEach((data, i) => {
      const a = answers.get(`q${i}`);
      expect(a.type).toBe('result');
      expect(maxAbsDiff(a.response.outputs[0].data, mlpExpected(data, 1))).toBeLessThan(1e-4);
    });
  });

  it('runs a request in async mode and hands the result over by id', async () => {
    const data = mlpInput(3, 42);
    const submit = await http(cluster, '/v2/models/mlp/infer', {
      json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [3, 64], data }] },
      headers: { prefer: 'respond-async' },
    });
    expect(submit.status).toBe(202);
    expect(submit.headers.get('location')).toBe(`/v2/requests/${submit.body.id}`);
    let status: { status: number; body: any } = { status: 202, body: {} };
    for (let i = 0; i < 200 && status.status === 202; i++) {
      status = await http(cluster, submit.body.location);
      if (status.status === 202) await new Promise((r) => setTimeout(r, 10));
    }
    expect(status.status).toBe(200);
    expect(status.body.status).toBe('done');
    expect(maxAbsDiff(status.body.response.outputs[0].data, mlpExpected(data, 3))).toBeLessThan(1e-4);
  });

  it('spreads requests over both workers', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, i) }] } }),
      ),
    );
    const { body } = await http(cluster, '/v2/status');
    expect(body.workers).toHaveLength(2);
    for (const w of body.workers) expect(w.served).toBeGreaterThan(0);
  });
});
