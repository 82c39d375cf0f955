import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ENTRY, spawnApp, type Cluster } from '@infermesh/launcher';
import { buildSentimentOnnx, sentimentVocabulary } from '@infermesh/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, demoRepository, http } from './fixtures.js';
import { sentimentExpected } from './references.js';

const TEXTS = [
  'I love this movie, it is wonderful',
  'what a terrible, awful day',
  'the bus was on time',
  "I don't like it. Does not work!",
  '',
  'Extraordinarily GOOD — superb, well-being',
  'こんにちは 世界 good',
  'bad bad bad but the ending was amazing and fun',
];

const sentiment = (texts: readonly string[], extra: Record<string, unknown> = {}) => ({
  json: { inputs: [{ name: 'text', datatype: 'BYTES', shape: [texts.length], data: texts }], ...extra },
});

let colocated: Cluster;
let disaggregated: Cluster;

beforeAll(async () => {
  // The cache is off so that every answer below is computed, not replayed.
  [colocated, disaggregated] = await Promise.all([
    demoCluster({ workers: 1, coordinatorArgs: ['--cache', 'off'] }),
    // Every request traced: a test reads the stages of a request's trace (the default samples 1 %).
    demoCluster({ workers: 1, processors: 2, coordinatorArgs: ['--cache', 'off', '--placement', 'disaggregated', '--health-interval-ms', '200'], env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' } }),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([colocated?.stop(), disaggregated?.stop()]);
});

describe('disaggregated inference: pre- and post-processing on processors', () => {
  it('gives the demo text model the same answers co-located and disaggregated, and the reference values', async () => {
    const expected = await sentimentExpected(TEXTS);
    // One request per text and one request of all of them: rows batch differently but answer alike.
    const requests = [...TEXTS.map((t) => [t]), TEXTS];
    const answers = await Promise.all(
      [colocated, disaggregated].map((c) => Promise.all(requests.map((texts) => http(c, '/v2/models/sentiment/infer', sentiment(texts))))),
    );
    const [near, far] = answers as [Awaited<ReturnType<typeof http>>[], Awaited<ReturnType<typeof http>>[]];
    for (const [i, a] of near.entries()) {
      const b = far[i]!;
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(b.body.outputs).toEqual(a.body.outputs);
      expect(a.body.parameters.infermesh_processors).toBeUndefined();
      expect(b.body.parameters).toMatchObject({ infermesh_worker: 'worker-1', infermesh_processors: expect.stringMatching(/^processor-\d,processor-\d$/) });
    }
    const whole = far.at(-1)!.body.outputs;
    expect(whole.find((o: { name: string }) => o.name === 'label').data).toEqual(expected.labels);
    const probabilities = whole.find((o: { name: string }) => o.name === 'probabilities').data as number[];
    expect(Math.max(...probabilities.map((p, k) => Math.abs(p - expected.probabilities[k]!)))).toBeLessThan(1e-5);
  });

  it('answers a chosen output, and a bad request with the same error, either way', async () => {
    const only = await Promise.all(
      [colocated, disaggregated].map((c) => http(c, '/v2/models/sentiment/infer', sentiment(['great'], { outputs: [{ name: 'label' }] }))),
    );
    expect(only[1]!.body.outputs).toEqual(only[0]!.body.outputs);
    expect(only[1]!.body.outputs).toEqual([{ name: 'label', datatype: 'BYTES', shape: [1], data: ['positive'] }]);
    const bad = { json: { inputs: [{ name: 'text', datatype: 'FP32', shape: [1], data: [1] }] } };
    const refused = await Promise.all([colocated, disaggregated].map((c) => http(c, '/v2/models/sentiment/infer', bad)));
    expect([refused[0]!.status, refused[0]!.body.code]).toEqual([400, 'IM_INVALID_INPUT']);
    expect(refused[1]!.body).toEqual(refused[0]!.body);
  });

  it('runs pre-processing, inference and post-processing on three processes, traced under one request', async () => {
    const res = await http(disaggregated, '/v2/models/sentiment/infer', sentiment(['good']));
    const trace = await http(disaggregated, `/v2/traces/${res.headers.get('x-request-id')}`);
    expect(trace.status).toBe(200);
    const names = (trace.body.traces[0].spans as Array<{ name: string }>).map((s) => s.name);
    const order = ['preprocess', 'inference', 'postprocess'].map((n) => names.indexOf(n));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(names.filter((n) => n === 'transport')).toHaveLength(3);
  });

  it('lists processors apart from model workers, and a model without steps never visits them', async () => {
    const status = await http(disaggregated, '/v2/status');
    const roles = (status.body.workers as Array<{ workerId: string; role: string }>).map((w) => `${w.workerId}:${w.role}`).sort();
    expect(roles).toEqual(['processor-1:processor', 'processor-2:processor', 'worker-1:model']);
    const mlp = await http(disaggregated, '/v2/models/mlp/infer', {
      json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: Array.from({ length: 64 }, () => 0.5) }] },
    });
    expect(mlp.status).toBe(200);
    expect(mlp.body.parameters.infermesh_processors).toBeUndefined();
  });

  it('the coordinator refuses a processor whose pre-processing hands on other tensors than the model workers\' registered', async () => {
    // A processor whose vocabulary and model file lost a term: consistent in itself, one column short of the workers'.
    const dir = mkdtempSync(join(tmpdir(), 'im-e2e-short-vocab-'));
    cpSync(await demoRepository(), dir, { recursive: true });
    const { terms, scores } = sentimentVocabulary();
    writeFileSync(join(dir, 'sentiment', '1', 'vocab.json'), JSON.stringify(terms.slice(1)));
    writeFileSync(join(dir, 'sentiment', '1', 'model.onnx'), buildSentimentOnnx(scores.slice(1)));
    const refused = colocated.coordinator.waitFor('worker refused', { timeoutMs: 30_000, match: (l) => l.code === 'IM_REGISTRY_STAGE_MISMATCH' });
    const processor = spawnApp({
      name: 'short-vocab',
      entry: APP_ENTRY.worker,
      args: ['--role', 'processor', '--id', 'short-vocab', '--repository', dir, '--coordinator', colocated.workerAddress, '--model', 'sentiment', '--secret-file', colocated.tokenFile ?? ''],
    });
    try {
      const line = await refused;
      const v = terms.length;
      const stage = (n: number): string => `'text' BYTES [-1] → 'bow' FP32 [-1, ${n}]`;
      expect(String((line.err as { message?: string } | undefined)?.message)).toContain(
        `model "sentiment" version 1, stage preprocess: differs from the one registered (${stage(v - 1)} vs ${stage(v)})`,
      );
      const status = await http(colocated, '/v2/status');
      expect((status.body.workers as Array<{ workerId: string }>).map((w) => w.workerId)).not.toContain('short-vocab');
    } finally {
      await processor.stop();
    }
  });

  it('survives a processor SIGKILLed under load: no client request fails', async () => {
    const texts = Array.from({ length: 64 }, (_, i) => `request ${i}: ${i % 2 ? 'a wonderful, happy day' : 'an awful, sad loss'}`);
    const expected = (await sentimentExpected(texts)).labels;
    let stop = false;
    const failures: string[] = [];
    let answered = 0;
    const client = async (k: number): Promise<void> => {
      for (let n = k; !stop; n += 8) {
        const i = n % texts.length;
        const res = await http(disaggregated, '/v2/models/sentiment/infer', sentiment([texts[i]!]));
        const label = res.body?.outputs?.find((o: { name: string }) => o.name === 'label')?.data?.[0];
        if (res.status !== 200 || label !== expected[i]) failures.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        else answered++;
      }
    };
    const clients = Array.from({ length: 8 }, (_, k) => client(k));
    try {
      await expect.poll(() => answered, { timeout: 30_000 }).toBeGreaterThan(40);
      const victim = disaggregated.processors[0]!;
      const workers = (await http(disaggregated, '/v2/status')).body.workers as Array<{ workerId: string; served: number }>;
      expect(workers.find((w) => w.workerId === victim.name)?.served).toBeGreaterThan(0);
      victim.child.kill('SIGKILL');
      const before = answered;
      await expect.poll(async () => (await http(disaggregated, '/v2/status')).body.workers.length, { timeout: 5_000 }).toBe(2);
      // The survivor carries the load on (the bound is loose: a loaded shared machine is slow, not wrong).
      await expect.poll(() => answered, { timeout: 30_000 }).toBeGreaterThan(before + 40);
    } finally {
      stop = true;
      await Promise.allSettled(clients);
    }
    expect(failures).toEqual([]);
    expect((await http(disaggregated, '/v2/models/sentiment/ready')).status).toBe(200);
    // With no processor left the model is not ready and requests are refused with a clear code, not hung.
    disaggregated.processors[1]!.child.kill('SIGKILL');
    await expect.poll(async () => (await http(disaggregated, '/v2/models/sentiment/ready')).status, { timeout: 5_000 }).toBe(503);
    const refused = await http(disaggregated, '/v2/models/sentiment/infer', sentiment(['good']));
    expect([refused.status, refused.body.code]).toEqual([503, 'IM_NO_WORKER']);
    expect(refused.body.error).toMatch(/no processor \(preprocess\) serves sentiment:1/);
  });
});

describe('a pipeline that does not fit is refused at registration', () => {
  it('a worker or processor whose steps do not chain refuses to start, naming the step and tensor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-e2e-misfit-'));
    cpSync(await demoRepository(), dir, { recursive: true });
    const manifest = join(dir, 'sentiment', 'manifest.yaml');
    // tokenize writes `counts`; the next step reads `tokens`, which nothing wrote.
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace(
        '    options: {vocabulary: vocab.json, input: text, output: bow}',
        '    options: {vocabulary: vocab.json, input: text, output: counts}\n  - step: normalize\n    options: {input: tokens, output: bow, mean: 0, std: 1}',
      ),
    );
    for (const role of ['model', 'processor']) {
      const worker = spawnApp({ name: `misfit-${role}`, entry: APP_ENTRY.worker, args: ['--role', role, '--repository', dir, '--port', '0', '--insecure-coordinators'] });
      expect(await worker.exited).toBe(1);
      const said = worker.output.join('\n');
      expect(said).toContain('IM_PROCESSING_PIPELINE_MISMATCH');
      expect(said).toContain("step 2 'normalize@1.0.0': input 'tokens' FP32");
      expect(said).toContain("available: 'text' BYTES [-1], 'counts' FP32 [-1, ");
    }
  });
});
