import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from './fixtures.js';
import { mlpExpected, mlpInput, sentimentExpected } from './references.js';
import { sleepyRepository } from './sleepy-repository.js';

// Triton's extensions over a real cluster: model configuration, statistics, classification, and the model
// repository with explicit model control (unload drains, load serves again). Cache off: every request is computed.
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ repository: await sleepyRepository(300), workers: 2, coordinatorArgs: ['--heartbeat-ms', '500', '--cache', 'off'] });
});
afterAll(async () => {
  await cluster?.stop();
});

const mlpInfer = (rows: number, seed: number) =>
  http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64], data: mlpInput(rows, seed) }] } });

describe('GET /v2 and the model configuration extension', () => {
  it('announces the extensions by Triton\'s names', async () => {
    const { body } = await http(cluster, '/v2');
    expect(body.extensions).toEqual(expect.arrayContaining(['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'statistics']));
  });

  it('answers Triton\'s ModelConfig JSON, with the instance count of the workers serving the model', async () => {
    const mlp = await http(cluster, '/v2/models/mlp/config');
    expect(mlp.status).toBe(200);
    expect(mlp.body).toMatchObject({
      name: 'mlp', platform: 'onnxruntime_onnx', backend: 'onnxruntime', max_batch_size: 256,
      input: [{ name: 'input', data_type: 'TYPE_FP32', dims: [64] }],
      output: [{ name: 'output', data_type: 'TYPE_FP32', dims: [16] }],
      dynamic_batching: { max_queue_delay_microseconds: 2000, preferred_batch_size: [] },
      instance_group: [{ kind: 'KIND_CPU', count: 2 }],
    });
    const sentiment = await http(cluster, '/v2/models/sentiment/versions/1/config');
    expect(sentiment.body).toMatchObject({
      input: [{ name: 'text', data_type: 'TYPE_STRING', dims: [1], reshape: { shape: [] } }],
      output: [{ name: 'label', data_type: 'TYPE_STRING' }, { name: 'probabilities', data_type: 'TYPE_FP32', dims: [3] }],
    });
    const sleepy = await http(cluster, '/v2/models/sleepy/config');
    expect(sleepy.body).toMatchObject({ platform: 'infermesh_js', max_batch_size: 0, input: [{ dims: [-1, 4] }] });
    expect(sleepy.body.dynamic_batching).toBeUndefined();
    expect((await http(cluster, '/v2/models/nope/config'))).toMatchObject({ status: 404, body: { code: 'IM_MODEL_NOT_FOUND' } });
  });
});

describe('the statistics extension', () => {
  it('counts requests, rows, executions, queue and compute times, and batch sizes, as they happen', async () => {
    const before = (await http(cluster, '/v2/models/mlp/stats')).body.model_stats[0];
    const startedAt = Date.now();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => mlpInfer(1 + (i % 3), 1_000 + i)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    const bad = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] } });
    expect(bad.status).toBe(400);
    const { status, body } = await http(cluster, '/v2/models/mlp/versions/1/stats');
    expect(status).toBe(200);
    const after = body.model_stats[0];
    expect(after).toMatchObject({ name: 'mlp', version: '1' });
    const delta = (path: (s: any) => number): number => path(after) - path(before);
    expect(delta((s) => s.inference_count)).toBe(24); // rows: 4 × (1 + 2 + 3)
    expect(delta((s) => s.inference_stats.success.count)).toBe(12);
    expect(delta((s) => s.inference_stats.fail.count)).toBe(1);
    expect(delta((s) => s.inference_stats.queue.count)).toBe(12);
    expect(delta((s) => s.inference_stats.compute_infer.count)).toBe(12);
    expect(delta((s) => s.inference_stats.compute_input.count)).toBe(12);
    expect(delta((s) => s.inference_stats.success.ns)).toBeGreaterThan(0);
    expect(delta((s) => s.inference_stats.compute_infer.ns)).toBeGreaterThan(0);
    const executions = delta((s) => s.execution_count);
    expect(executions).toBeGreaterThanOrEqual(1);
    expect(executions).toBeLessThanOrEqual(12);
    expect(after.last_inference).toBeGreaterThanOrEqual(startedAt);
    // Every execution is counted under its batch size (rows), sizes ascending.
    const sizes = after.batch_stats.map((b: { batch_size: number }) => b.batch_size);
    expect(sizes).toEqual([...sizes].sort((a: number, b: number) => a - b));
    const batches = after.batch_stats.reduce((n: number, b: { compute_infer: { count: number } }) => n + b.compute_infer.count, 0);
    expect(batches).toBe(after.execution_count);
    // All models: every registered version, this one among them.
    const all = (await http(cluster, '/v2/models/stats')).body.model_stats;
    expect(all.map((s: { name: string }) => s.name)).toEqual(['mlp', 'noop', 'sentiment', 'sleepy']);
    expect(all[0]).toEqual((await http(cluster, '/v2/models/mlp/stats')).body.model_stats[0]);
  });
});

describe('the classification extension', () => {
  const texts = ['I love this, what a wonderful day', 'This is terrible and I hate it'];
  const input = { name: 'text', datatype: 'BYTES', shape: [2], data: texts };

  it('answers the top-k classes per row as "value:index:label", from the model\'s own probabilities', async () => {
    const res = await http(cluster, '/v2/models/sentiment/infer', {
      json: { inputs: [input], outputs: [{ name: 'probabilities', parameters: { classification: 2 } }, { name: 'label' }] },
    });
    expect(res.status).toBe(200);
    const expected = await sentimentExpected(texts);
    const labels = ['negative', 'neutral', 'positive'];
    const top = (row: number): string[] => {
      const p = expected.probabilities.slice(row * 3, row * 3 + 3).map((v) => Math.fround(v));
      return [0, 1, 2].sort((a, b) => p[b]! - p[a]!).slice(0, 2).map((i) => `${p[i]!.toFixed(6)}:${i}:${labels[i]}`);
    };
    const byName = Object.fromEntries(res.body.outputs.map((o: { name: string }) => [o.name, o]));
    expect(byName.probabilities).toEqual({ name: 'probabilities', datatype: 'BYTES', shape: [2, 2], data: [...top(0), ...top(1)] });
    expect(byName.probabilities.data[0]).toMatch(/^0\.\d{6}:2:positive$/);
    expect(byName.label.data).toEqual(['positive', 'negative']);
  });

  it('writes the classes as binary BYTES (4-byte length prefixes) when the output asks for binary data', async () => {
    const json = await http(cluster, '/v2/models/sentiment/infer', { json: { inputs: [input], outputs: [{ name: 'probabilities', parameters: { classification: 1 } }] } });
    const res = await fetch(`${cluster.url}/v2/models/sentiment/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [input], outputs: [{ name: 'probabilities', parameters: { classification: 1, binary_data: true } }] }),
    });
    expect(res.status).toBe(200);
    const headerLength = Number(res.headers.get('inference-header-content-length'));
    const body = Buffer.from(await res.arrayBuffer());
    const header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
    const binary = body.subarray(headerLength);
    expect(header.outputs).toEqual([{ name: 'probabilities', datatype: 'BYTES', shape: [2, 1], parameters: { binary_data_size: binary.length } }]);
    const strings: string[] = [];
    for (let at = 0; at < binary.length;) {
      const n = binary.readUInt32LE(at);
      strings.push(binary.subarray(at + 4, at + 4 + n).toString('utf8'));
      at += 4 + n;
    }
    expect(strings).toEqual(json.body.outputs[0].data);
  });

  it('refuses a count that is not a positive integer and an output that cannot be ranked', async () => {
    const zero = await http(cluster, '/v2/models/sentiment/infer', { json: { inputs: [input], outputs: [{ name: 'probabilities', parameters: { classification: 0 } }] } });
    expect(zero).toMatchObject({ status: 400, body: { code: 'IM_BAD_REQUEST' } });
    const bytes = await http(cluster, '/v2/models/sentiment/infer', { json: { inputs: [input], outputs: [{ name: 'label', parameters: { classification: 1 } }] } });
    expect(bytes).toMatchObject({ status: 400, body: { code: 'IM_INVALID_INPUT', error: expect.stringContaining('BYTES') } });
  });
});

describe('the model repository extension with explicit model control', () => {
  const sleepyInfer = (i: number) =>
    http(cluster, '/v2/models/sleepy/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [i, i, i, i] }] } });

  it('indexes every model of the workers\' repositories with its state', async () => {
    const { status, body } = await http(cluster, '/v2/repository/index', { method: 'POST' });
    expect(status).toBe(200);
    expect(body).toEqual(['mlp', 'noop', 'sentiment', 'sleepy'].map((name) => ({ name, version: '1', state: 'READY', reason: '' })));
    expect((await http(cluster, '/v2/repository/index', { json: { ready: true } })).body).toHaveLength(4);
  });

  it('unloads a model only after the requests in flight are answered; new ones get 404 at once', async () => {
    // Six requests of 300 ms each are in flight on the two workers when the unload arrives.
    const inFlight = Array.from({ length: 6 }, (_, i) => sleepyInfer(i));
    await new Promise((r) => setTimeout(r, 100));
    const unloadStarted = Date.now();
    const unloading = http(cluster, '/v2/repository/models/sleepy/unload', { method: 'POST' });
    await new Promise((r) => setTimeout(r, 30));
    const refused = await sleepyInfer(99);
    expect(refused).toMatchObject({ status: 404, body: { code: 'IM_MODEL_NOT_FOUND' } });
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    answers.forEach((a, i) => expect(a.body.outputs[0].data).toEqual([i, i, i, i]));
    const unloaded = await unloading;
    expect(unloaded.status).toBe(200);
    expect(Date.now() - unloadStarted).toBeGreaterThanOrEqual(100);
    // Gone from the workers and the coordinator: not ready, not found, listed as unloaded.
    expect(await http(cluster, '/v2/models/sleepy/ready')).toMatchObject({ status: 404, body: { code: 'IM_MODEL_NOT_FOUND' } });
    expect(await sleepyInfer(1)).toMatchObject({ status: 404, body: { code: 'IM_MODEL_NOT_FOUND' } });
    const index = (await http(cluster, '/v2/repository/index', { method: 'POST' })).body;
    expect(index).toContainEqual({ name: 'sleepy', version: '', state: 'UNAVAILABLE', reason: 'unloaded' });
    const status = (await http(cluster, '/v2/status')).body;
    for (const w of status.workers) expect(w.models).not.toContain('sleepy:1');
    // The other models are untouched.
    expect((await mlpInfer(1, 5)).status).toBe(200);
  });

  it('loads it again on every worker that holds it: ready, served, two instances', async () => {
    const loaded = await http(cluster, '/v2/repository/models/sleepy/load', { method: 'POST' });
    expect(loaded.status).toBe(200);
    expect(await http(cluster, '/v2/models/sleepy/ready')).toMatchObject({ status: 200, body: { ready: true } });
    const answer = await sleepyInfer(7);
    expect(answer.status).toBe(200);
    expect(answer.body.outputs[0].data).toEqual([7, 7, 7, 7]);
    expect((await http(cluster, '/v2/models/sleepy/config')).body.instance_group[0].count).toBe(2);
    const index = (await http(cluster, '/v2/repository/index', { method: 'POST' })).body;
    expect(index).toContainEqual({ name: 'sleepy', version: '1', state: 'READY', reason: '' });
    // Loading a model that is loaded already changes nothing.
    expect((await http(cluster, '/v2/repository/models/mlp/load', { json: {} })).status).toBe(200);
    const data = mlpInput(2, 3);
    const mlp = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 64], data }] } });
    expect(Math.max(...mlp.body.outputs[0].data.map((v: number, k: number) => Math.abs(v - mlpExpected(data, 2)[k]!)))).toBeLessThan(1e-4);
  });

  it('answers 404 for a model no repository holds, and 400 for a bad body', async () => {
    expect(await http(cluster, '/v2/repository/models/nope/load', { method: 'POST' })).toMatchObject({ status: 404, body: { code: 'IM_MODEL_NOT_FOUND' } });
    expect(await http(cluster, '/v2/repository/models/nope/unload', { method: 'POST' })).toMatchObject({ status: 404, body: { code: 'IM_MODEL_NOT_FOUND' } });
    expect(await http(cluster, '/v2/repository/models/mlp/load', { method: 'POST', body: '[1' })).toMatchObject({ status: 400, body: { code: 'IM_BAD_REQUEST' } });
  });
});
