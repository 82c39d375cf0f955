import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from './fixtures.js';
import { InferenceClient, PROTO_FILE, grpc, type GrpcFailure } from './grpc-client.js';
import { mlpExpected, mlpInput, sentimentExpected } from './references.js';
import { sleepyRepository } from './sleepy-repository.js';

// The KServe v2 gRPC service of a real cluster, called by @grpc/grpc-js with stubs loaded from the
// .proto that @infermesh/contracts ships; every answer is checked against the HTTP answer for the same
// input (computed, not cached: --cache off) and against the plain-TypeScript reference.
const SLEEP_MS = 3_000;
let cluster: Cluster;
let client: InferenceClient;
beforeAll(async () => {
  cluster = await startCluster({
    // Every request traced: the test reads a call's trace by its id (the default samples 1 %).
    env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
    repository: await sleepyRepository(SLEEP_MS),
    workers: 1,
    coordinatorArgs: ['--heartbeat-ms', '500', '--cache', 'off', '--max-in-flight', '2'],
  });
  client = new InferenceClient(cluster.grpcAddress);
});
afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

/** Little-endian FP32 bytes, as the protocol's raw contents carry them. */
const fp32Bytes = (values: readonly number[]): Buffer => {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
};
const fp32Values = (bytes: Buffer): number[] => Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
/** BYTES elements: each a 4-byte little-endian length, then its bytes. */
const bytesElements = (texts: readonly string[]): Buffer =>
  Buffer.concat(texts.flatMap((t) => {
    const body = Buffer.from(t, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(body.length);
    return [length, body];
  }));
const bytesValues = (bytes: Buffer): string[] => {
  const out: string[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = bytes.readUInt32LE(at);
    out.push(bytes.subarray(at + 4, at + 4 + length).toString('utf8'));
    at += 4 + length;
  }
  return out;
};

/** The HTTP answer for the same input, by output name. */
async function httpOutputs(model: string, inputs: unknown[]): Promise<Record<string, { shape: number[]; data: unknown[] }>> {
  const res = await http(cluster, `/v2/models/${model}/infer`, { json: { inputs } });
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.outputs.map((o: { name: string }) => [o.name, o]));
}

const failureOf = (e: GrpcFailure) => ({ code: e.code, details: e.details, imCode: e.metadata.get('im-code')[0] });
const maxAbsDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

async function inFlight(): Promise<number> {
  return (await http(cluster, '/v2/status')).body.inFlight as number;
}

async function untilInFlight(predicate: (n: number) => boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!predicate(await inFlight())) {
    if (Date.now() - started > withinMs) throw new Error(`in-flight count did not settle within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

describe('health and metadata over gRPC', () => {
  it('ServerLive, ServerReady and ServerMetadata', async () => {
    expect(await client.call('ServerLive', {})).toEqual({ live: true });
    expect(await client.call('ServerReady', {})).toEqual({ ready: true });
    const meta = await client.call('ServerMetadata', {});
    expect(meta).toEqual({ name: 'infermesh', version: (await http(cluster, '/v2')).body.version, extensions: ['model_configuration', 'model_repository', 'statistics'] });
  });

  it('ModelReady for a model and one of its versions, NOT_FOUND for an unknown one', async () => {
    expect(await client.call('ModelReady', { name: 'mlp' })).toEqual({ ready: true });
    expect(await client.call('ModelReady', { name: 'sentiment', version: '1' })).toEqual({ ready: true });
    const unknown = await client.failure('ModelReady', { name: 'nope' });
    expect(failureOf(unknown)).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
  });

  it('ModelMetadata equals the HTTP metadata (name, versions, platform, inputs, outputs)', async () => {
    for (const name of ['mlp', 'sentiment']) {
      const over = (await http(cluster, `/v2/models/${name}`)).body;
      const meta = await client.call('ModelMetadata', { name });
      expect(meta).toEqual({ name, versions: over.versions, platform: over.platform, inputs: over.inputs, outputs: over.outputs });
    }
    const mlp = await client.call('ModelMetadata', { name: 'mlp', version: '1' });
    expect(mlp.inputs).toEqual([{ name: 'input', datatype: 'FP32', shape: [-1, 64] }]);
    const missing = await client.failure('ModelMetadata', { name: 'mlp', version: '7' });
    expect(failureOf(missing)).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_VERSION_NOT_FOUND' });
    const bad = await client.failure('ModelMetadata', { name: '' });
    expect(failureOf(bad)).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
  });
});

describe('ModelInfer', () => {
  const rows = 3;
  const input = mlpInput(rows, 42);

  it('mlp FP32 with raw_input_contents: raw_output_contents equal to the HTTP answer, bit for bit', async () => {
    const answer = await client.call('ModelInfer', {
      model_name: 'mlp', id: 'raw-1',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64] }],
      raw_input_contents: [fp32Bytes(input)],
    });
    expect(answer).toMatchObject({ model_name: 'mlp', model_version: '1', id: 'raw-1' });
    expect(answer.outputs).toEqual([{ name: 'output', datatype: 'FP32', shape: [rows, 16], parameters: {}, contents: null }]);
    expect(answer.raw_output_contents).toHaveLength(1);
    const values = fp32Values(answer.raw_output_contents[0]);
    const viaHttp = await httpOutputs('mlp', [{ name: 'input', datatype: 'FP32', shape: [rows, 64], data: input }]);
    expect(values).toEqual(viaHttp.output!.data);
    expect(maxAbsDiff(values, mlpExpected(input, rows))).toBeLessThan(1e-4);
    // Who answered, as over HTTP: a string parameter.
    expect(answer.parameters.infermesh_worker).toEqual({ string_param: 'worker-1', parameter_choice: 'string_param' });
  });

  it('mlp FP32 with typed contents: typed contents back, equal to the HTTP answer', async () => {
    const answer = await client.call('ModelInfer', {
      model_name: 'mlp', model_version: '1',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64], contents: { fp32_contents: input } }],
    });
    expect(answer.raw_output_contents).toEqual([]);
    const viaHttp = await httpOutputs('mlp', [{ name: 'input', datatype: 'FP32', shape: [rows, 64], data: input }]);
    expect(answer.outputs[0].contents.fp32_contents).toEqual(viaHttp.output!.data);
    expect(answer.outputs[0].shape).toEqual([rows, 16]);
  });

  const texts = ['I love this, what a wonderful day', 'This is terrible and I hate it', 'The table is brown', 'Ça va très bien, merci'];

  it('sentiment BYTES with raw_input_contents (4-byte length prefixes): labels and probabilities equal to the HTTP answer', async () => {
    const answer = await client.call('ModelInfer', {
      model_name: 'sentiment',
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [texts.length] }],
      raw_input_contents: [bytesElements(texts)],
    });
    const viaHttp = await httpOutputs('sentiment', [{ name: 'text', datatype: 'BYTES', shape: [texts.length], data: texts }]);
    const byName = Object.fromEntries(answer.outputs.map((o: { name: string }, i: number) => [o.name, { ...o, raw: answer.raw_output_contents[i] }]));
    expect(byName.label.datatype).toBe('BYTES');
    expect(bytesValues(byName.label.raw)).toEqual(viaHttp.label!.data);
    expect(bytesValues(byName.label.raw)).toEqual((await sentimentExpected(texts)).labels);
    expect(byName.probabilities.shape).toEqual([texts.length, 3]);
    expect(fp32Values(byName.probabilities.raw)).toEqual(viaHttp.probabilities!.data);
  });

  it('sentiment BYTES with typed bytes_contents, only the requested output', async () => {
    const answer = await client.call('ModelInfer', {
      model_name: 'sentiment',
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [texts.length], contents: { bytes_contents: texts.map((t) => Buffer.from(t)) } }],
      outputs: [{ name: 'label' }],
    });
    expect(answer.outputs.map((o: { name: string }) => o.name)).toEqual(['label']);
    const labels = answer.outputs[0].contents.bytes_contents.map((b: Buffer) => b.toString('utf8'));
    expect(labels).toEqual((await httpOutputs('sentiment', [{ name: 'text', datatype: 'BYTES', shape: [texts.length], data: texts }])).label!.data);
  });

  it('answers raw when binary_data_output is set, typed contents when it is false', async () => {
    const typedIn = { model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], contents: { fp32_contents: input.slice(0, 64) } }] };
    const raw = await client.call('ModelInfer', { ...typedIn, parameters: { binary_data_output: { bool_param: true } } });
    expect(raw.raw_output_contents).toHaveLength(1);
    const rawIn = { model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64] }], raw_input_contents: [fp32Bytes(input.slice(0, 64))] };
    const typed = await client.call('ModelInfer', { ...rawIn, parameters: { binary_data_output: { bool_param: false } } });
    expect(typed.raw_output_contents).toEqual([]);
    expect(typed.outputs[0].contents.fp32_contents).toEqual(fp32Values(raw.raw_output_contents[0]));
  });
});

describe('tracing over gRPC', () => {
  it('continues the caller\'s traceparent and answers it with x-request-id in the initial metadata; the trace is stored', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    let answered: grpc.Metadata | undefined;
    await client.call('ModelInfer', { model_name: 'noop', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } }] }, {
      metadata: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      onCall: (c) => c.on('metadata', (m: grpc.Metadata) => (answered = m)),
    });
    expect(answered?.get('x-request-id')).toEqual([traceId]);
    expect(String(answered?.get('traceparent')[0])).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const stored = await http(cluster, `/v2/traces/${traceId}`);
    expect(stored.status).toBe(200);
    expect(stored.body.traces.map((t: { name: string }) => t.name)).toContain('inference.GRPCInferenceService/ModelInfer');
  });
});

describe('ModelInfer errors: the status from API_ERRORS, the IM_* code in the message and in im-code', () => {
  const mlp = (shape: number[], raw: Buffer) => ({ model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape }], raw_input_contents: [raw] });

  it('an unknown model is NOT_FOUND', async () => {
    const e = failureOf(await client.failure('ModelInfer', { ...mlp([1, 64], fp32Bytes(new Array(64).fill(0))), model_name: 'nope' }));
    expect(e).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(e.details).toMatch(/^IM_MODEL_NOT_FOUND: .*nope/);
  });

  it('a shape the model does not take is INVALID_ARGUMENT with IM_INVALID_INPUT', async () => {
    const e = failureOf(await client.failure('ModelInfer', mlp([1, 63], fp32Bytes(new Array(63).fill(0)))));
    expect(e).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_INVALID_INPUT' });
    expect(e.details).toMatch(/^IM_INVALID_INPUT: input 'input' has shape \[1, 63\], model expects \[-1, 64\]/);
  });

  it('raw contents of the wrong size, or no data at all, are INVALID_ARGUMENT', async () => {
    const short = failureOf(await client.failure('ModelInfer', mlp([1, 64], Buffer.alloc(255))));
    expect(short).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_INVALID_INPUT', details: expect.stringMatching(/255 bytes, FP32 \[1, 64\] needs 256/) });
    const none = failureOf(await client.failure('ModelInfer', { model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64] }] }));
    expect(none).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_INVALID_INPUT' });
    const datatype = failureOf(await client.failure('ModelInfer', { model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FLOAT', shape: [1] }] }));
    expect(datatype).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
  });

  it('a message over limits.bodyBytes is RESOURCE_EXHAUSTED (refused by gRPC before it is read)', async () => {
    const e = await client.failure('ModelInfer', mlp([1, 64], Buffer.alloc(9 * 1024 * 1024)));
    expect(e.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});

describe('statistics and the model repository over gRPC', () => {
  const rawMlp = (rows: number, seed: number) => ({
    model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 64] }], raw_input_contents: [fp32Bytes(mlpInput(rows, seed))],
  });

  it('ModelConfig carries GET .../config field for field, enums by Triton\'s numbers', async () => {
    // Triton's model_config.proto numbering, written out here as the contract to check against.
    const DATA_TYPE: Record<string, number> = { TYPE_FP32: 11, TYPE_STRING: 13, TYPE_INT64: 9 };
    for (const name of ['mlp', 'sentiment', 'sleepy']) {
      const json = (await http(cluster, `/v2/models/${name}/config`)).body;
      const { config } = await client.call('ModelConfig', { name });
      expect(config).toEqual({
        name: json.name, platform: json.platform, backend: json.backend, max_batch_size: json.max_batch_size,
        input: json.input.map((t: any) => ({
          name: t.name, data_type: DATA_TYPE[t.data_type], format: 0, dims: t.dims, reshape: t.reshape ?? null,
          is_shape_tensor: false, allow_ragged_batch: false, optional: false,
        })),
        output: json.output.map((t: any) => ({ name: t.name, data_type: DATA_TYPE[t.data_type], dims: t.dims, reshape: t.reshape ?? null, label_filename: '', is_shape_tensor: false })),
        ...(json.dynamic_batching
          ? {
              scheduling_choice: 'dynamic_batching',
              dynamic_batching: {
                preferred_batch_size: json.dynamic_batching.preferred_batch_size, max_queue_delay_microseconds: json.dynamic_batching.max_queue_delay_microseconds,
                preserve_ordering: false, priority_levels: 0, default_priority_level: 0,
              },
            }
          : {}),
        instance_group: [{ name: `${name}_0`, kind: 2, count: 1, passive: false, host_policy: '' }],
        default_model_filename: json.default_model_filename,
        parameters: Object.fromEntries(Object.entries(json.parameters).map(([k, v]) => [k, v])),
      });
    }
    const mlp = (await client.call('ModelConfig', { name: 'mlp', version: '1' })).config;
    expect(mlp).toMatchObject({ max_batch_size: 256, input: [{ name: 'input', data_type: 11, dims: [64] }], dynamic_batching: { max_queue_delay_microseconds: expect.any(Number) } });
    expect(failureOf(await client.failure('ModelConfig', { name: 'nope' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
  });

  it('RepositoryIndex lists the demo models READY, as POST /v2/repository/index does', async () => {
    const index = await client.call('RepositoryIndex', {});
    expect(index.models).toEqual(['mlp', 'noop', 'sentiment', 'sleepy'].map((name) => ({ name, version: '1', state: 'READY', reason: '' })));
    expect(index.models).toEqual((await http(cluster, '/v2/repository/index', { method: 'POST' })).body);
    expect((await client.call('RepositoryIndex', { ready: true })).models).toEqual(index.models);
    const other = failureOf(await client.failure('RepositoryIndex', { repository_name: 'elsewhere' }));
    expect(other).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
  });

  it('ModelStatistics counts go up with ModelInfer calls, batch_stats per batch size; the same numbers as GET .../stats', async () => {
    const stats = async (): Promise<any> => (await client.call('ModelStatistics', { name: 'mlp', version: '1' })).model_stats[0];
    const before = await stats();
    const startedAt = Date.now();
    for (const [i, rows] of [2, 3, 2].entries()) await client.call('ModelInfer', rawMlp(rows, 500 + i));
    // A request the model refuses counts as a failure (one the gRPC edge cannot decode never reaches the model's counters).
    const badShape = { model_name: 'mlp', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 63], contents: { fp32_contents: new Array(63).fill(0) } }] };
    expect(failureOf(await client.failure('ModelInfer', badShape)).imCode).toBe('IM_INVALID_INPUT');
    const after = await stats();
    expect(after).toMatchObject({ name: 'mlp', version: '1', memory_usage: [] });
    const delta = (path: (s: any) => number): number => path(after) - path(before);
    expect(delta((s) => s.inference_count)).toBe(7);
    expect(delta((s) => s.execution_count)).toBe(3);
    expect(delta((s) => s.inference_stats.success.count)).toBe(3);
    expect(delta((s) => s.inference_stats.fail.count)).toBe(1);
    expect(delta((s) => s.inference_stats.compute_infer.count)).toBe(3);
    expect(delta((s) => s.inference_stats.success.ns)).toBeGreaterThan(0);
    expect(delta((s) => s.inference_stats.compute_infer.ns)).toBeGreaterThan(0);
    expect(after.last_inference).toBeGreaterThanOrEqual(startedAt);
    const at = (s: any, size: number) => s.batch_stats.find((b: { batch_size: number }) => b.batch_size === size)?.compute_infer.count ?? 0;
    expect(at(after, 2) - at(before, 2)).toBe(2);
    expect(at(after, 3) - at(before, 3)).toBe(1);
    // One counter behind both protocols (uint64 fields read as numbers by this client).
    const overHttp = (await http(cluster, '/v2/models/mlp/versions/1/stats')).body.model_stats[0];
    expect(after).toEqual({ ...overHttp, memory_usage: [] });
    const all = (await client.call('ModelStatistics', {})).model_stats.map((m: { name: string }) => m.name);
    expect(all).toEqual(['mlp', 'noop', 'sentiment', 'sleepy']);
    expect(failureOf(await client.failure('ModelStatistics', { name: 'nope' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
  });

  it('RepositoryModelUnload: ModelReady false, ModelInfer NOT_FOUND; RepositoryModelLoad: served again', async () => {
    expect(await client.call('RepositoryModelUnload', { model_name: 'mlp' })).toEqual({});
    expect(await client.call('ModelReady', { name: 'mlp' })).toEqual({ ready: false });
    const refused = failureOf(await client.failure('ModelInfer', rawMlp(1, 9)));
    expect(refused).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect((await client.call('RepositoryIndex', {})).models[0]).toEqual({ name: 'mlp', version: '', state: 'UNAVAILABLE', reason: 'unloaded' });
    expect((await client.call('RepositoryIndex', { ready: true })).models.map((m: { name: string }) => m.name)).toEqual(['noop', 'sentiment', 'sleepy']);

    expect(await client.call('RepositoryModelLoad', { model_name: 'mlp' })).toEqual({});
    expect(await client.call('ModelReady', { name: 'mlp' })).toEqual({ ready: true });
    const input = mlpInput(1, 9);
    const answer = await client.call('ModelInfer', rawMlp(1, 9));
    expect(maxAbsDiff(fp32Values(answer.raw_output_contents[0]), mlpExpected(input, 1))).toBeLessThan(1e-4);

    const unknown = failureOf(await client.failure('RepositoryModelLoad', { model_name: 'nope' }));
    expect(unknown).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(failureOf(await client.failure('RepositoryModelUnload', { model_name: 'nope' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
  });
});

describe('deadlines, cancellation and overload over gRPC', () => {
  const sleepy = { model_name: 'sleepy', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } }] };

  it('the call\'s deadline becomes the request\'s: DEADLINE_EXCEEDED, and the coordinator lets go of the request long before the model answers', async () => {
    const started = Date.now();
    const e = await client.failure('ModelInfer', sleepy, { deadlineMs: 300 });
    expect(e.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(SLEEP_MS);
    await untilInFlight((n) => n === 0, SLEEP_MS / 2);
  });

  it('a deadline longer than the work leaves the request alone', async () => {
    const answer = await client.call('ModelInfer', { ...sleepy, model_name: 'noop' }, { deadlineMs: 5_000 });
    expect(answer.outputs[0].contents.fp32_contents).toEqual([1, 2, 3, 4]);
  });

  it('cancelling a call aborts its request', async () => {
    let call: grpc.ClientUnaryCall | undefined;
    const pending = client.failure('ModelInfer', sleepy, { onCall: (c) => (call = c) });
    await untilInFlight((n) => n === 1, 2_000);
    call!.cancel();
    expect((await pending).code).toBe(grpc.status.CANCELLED);
    expect(await untilInFlight((n) => n === 0, SLEEP_MS / 2)).toBeLessThan(SLEEP_MS / 2);
  });

  it('over --max-in-flight: RESOURCE_EXHAUSTED with IM_OVERLOADED and retry-after', async () => {
    const calls: grpc.ClientUnaryCall[] = [];
    const pending = [0, 1].map(() => client.failure('ModelInfer', sleepy, { onCall: (c) => calls.push(c) }));
    await untilInFlight((n) => n === 2, 2_000);
    const e = await client.failure('ModelInfer', { ...sleepy, model_name: 'noop' });
    expect(failureOf(e)).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, imCode: 'IM_OVERLOADED' });
    expect(e.metadata.get('retry-after')).toEqual(['1']);
    // Refused before its tensors are decoded: contents that do not fill the shape are not looked at.
    const unread = await client.failure('ModelInfer', { model_name: 'noop', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1] } }] });
    expect(failureOf(unread)).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, imCode: 'IM_OVERLOADED' });
    for (const c of calls) c.cancel();
    await Promise.all(pending);
    await untilInFlight((n) => n === 0, SLEEP_MS / 2);
    // With a slot free, the same contents are the client's error.
    const bad = await client.failure('ModelInfer', { model_name: 'noop', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1] } }] });
    expect(failureOf(bad).imCode).not.toBe('IM_OVERLOADED');
    expect(failureOf(bad).code).toBe(grpc.status.INVALID_ARGUMENT);
  });
});

// Debian's python3-grpcio and python3-grpc-tools live in Debian's interpreter, which a PATH python3 (pyenv,
// a venv) may not be: the packages' own interpreter is called by its path.
const PYTHON = '/usr/bin/python3';
const PY_CLIENT = fileURLToPath(new URL('../clients/grpc_client.py', import.meta.url));

function run(command: string, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('a Python client: Debian python3-grpcio with stubs generated by python3-grpc-tools from the shipped .proto', () => {
  it('calls ServerLive, ModelMetadata, ModelInfer with raw_input_contents, ModelConfig, RepositoryIndex and ModelStatistics, and reads the right answers', async () => {
    const stubs = mkdtempSync(join(tmpdir(), 'im-e2e-pystubs-'));
    const generated = await run(PYTHON, ['-m', 'grpc_tools.protoc', '-I', dirname(PROTO_FILE), `--python_out=${stubs}`, `--grpc_python_out=${stubs}`, 'grpc_service.proto']);
    expect(generated, generated.stderr).toMatchObject({ code: 0 });

    const input = mlpInput(1, 7);
    const out = await run(PYTHON, [PY_CLIENT, stubs, cluster.grpcAddress], JSON.stringify(input));
    expect(out.code, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout);
    // Read before this test's own HTTP calls: its mlp call is in the statistics, which equal the HTTP ones.
    const statsOverHttp = (await http(cluster, '/v2/models/mlp/versions/1/stats')).body.model_stats[0];
    expect(result.live).toBe(true);
    const over = (await http(cluster, '/v2/models/mlp')).body;
    expect(result.metadata).toEqual({ name: 'mlp', versions: over.versions, platform: over.platform, inputs: over.inputs, outputs: over.outputs });
    expect(result.mlp).toMatchObject({ id: 'py-1', model_version: '1', name: 'output', datatype: 'FP32', shape: [1, 16] });
    const viaHttp = await httpOutputs('mlp', [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: input }]);
    expect(result.mlp.data).toEqual(viaHttp.output!.data);
    expect(result.sentiment).toEqual({ labels: ['positive', 'negative'], datatype: 'BYTES' });
    expect(result.unknown).toMatchObject({ code: 'NOT_FOUND', im_code: 'IM_MODEL_NOT_FOUND', details: expect.stringMatching(/^IM_MODEL_NOT_FOUND: /) });
    expect(result.config).toEqual({
      name: 'mlp', max_batch_size: 256, input: [{ name: 'input', data_type: 'TYPE_FP32', dims: [64] }], scheduling: 'dynamic_batching', instance_kind: 'KIND_CPU',
    });
    expect(result.index).toEqual(['mlp', 'noop', 'sentiment', 'sleepy'].map((name) => ({ name, version: '1', state: 'READY', reason: '' })));
    expect(result.stats).toEqual({
      name: 'mlp', version: '1', inference_count: statsOverHttp.inference_count, execution_count: statsOverHttp.execution_count,
      success: statsOverHttp.inference_stats.success.count, batch_sizes: statsOverHttp.batch_stats.map((b: { batch_size: number }) => b.batch_size),
    });
    expect(result.stats.success).toBeGreaterThanOrEqual(1);
  });
});

describe('examples/grpc-client.mjs', () => {
  it('runs against the cluster and prints labels, an MLP row and a coded error', async () => {
    const example = fileURLToPath(new URL('../../../examples/grpc-client.mjs', import.meta.url));
    const out = await run(process.execPath, [example, cluster.grpcAddress]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/sentiment {2}positive/);
    expect(out.stdout).toMatch(/mlp {8}shape \[2,16\]/);
    expect(out.stdout).toMatch(/error {6}ModelMetadata: NOT_FOUND IM_MODEL_NOT_FOUND: /);
  });
});

// Last: it stops the cluster's coordinator.
describe('SIGTERM with a gRPC call in flight', () => {
  it('lets the call finish, refuses new calls, and stops cleanly', async () => {
    const sleepy = { model_name: 'sleepy', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [5, 6, 7, 8] } }] };
    const inflight = client.call('ModelInfer', sleepy);
    await untilInFlight((n) => n === 1, 2_000);
    const stopped = cluster.coordinator.waitFor('coordinator stopped', { timeoutMs: 20_000 });
    cluster.coordinator.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const late = await client.failure('ModelInfer', { ...sleepy, model_name: 'noop' }, { deadlineMs: 2_000 });
    expect(late.code).toBe(grpc.status.UNAVAILABLE);
    expect((await inflight).outputs[0].contents.fp32_contents).toEqual([5, 6, 7, 8]);
    expect((await stopped).finished).toBe(true);
    expect(await cluster.coordinator.exited).toBe(0);
  });
});
