import { API_ERRORS, ApiError, GRPC_STATUS, type ApiErrorCode } from '@infermesh/contracts';
import { ModelRegistry } from '@infermesh/registry';
import { createLogger } from '@infermesh/telemetry';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientAuth } from './client-auth.js';
import { CoordinatorTelemetry } from './coordinator-telemetry.js';
import { GRPC_PROTO_FILE, buildGrpcApi, grpcStatusOf } from './grpc-api.js';
import { RateLimits } from './rate-limits.js';
import { testServingCore } from './test-serving-core.js';

// A real gRPC server on loopback and a real @grpc/grpc-js client, over a coordinator with one model and
// no worker: every path up to the lanes, and the answers of the edge itself.
const registry = new ModelRegistry();
registry.register({
  name: 'm', version: '1', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
});
// 'u' is there to be unloaded.
registry.register({ name: 'u', version: '1', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }] });
const { lanes, service, repository } = await testServingCore({ registry, maxElements: 1_000, maxInFlight: 10, drainTimeoutMs: 1_000 });
const log = createLogger({ level: 'silent', name: 'test' });
const telemetry = new CoordinatorTelemetry({ traceStoreSize: 10 }, log);
let accepting = true;
const KEY = 'a-client-key-0001';
const common = { service, lanes, repository, telemetry: telemetry.requests, log, version: '0.0.0-test', ready: () => accepting, accepting: () => accepting, requestTimeoutMs: 1_000, maxMessageBytes: 4096 };
const open = buildGrpcApi(common);
const guarded = buildGrpcApi({ ...common, auth: new ClientAuth([KEY]) });
let now = 0;
const limited = buildGrpcApi({
  ...common, auth: new ClientAuth([KEY]),
  rateLimits: new RateLimits({ default: { perSecond: 1, burst: 2 }, perKey: new Map(), clock: { now: () => now } }),
});
const [openPort, guardedPort, limitedPort] = [await open.listen('127.0.0.1', 0), await guarded.listen('127.0.0.1', 0), await limited.listen('127.0.0.1', 0)];

const definition = protoLoader.loadSync(GRPC_PROTO_FILE, { keepCase: true, longs: Number, defaults: true, oneofs: true });
const Service = (grpc.loadPackageDefinition(definition) as any).inference.GRPCInferenceService;
const clients = [openPort, guardedPort, limitedPort].map((port) => new Service(`127.0.0.1:${port}`, grpc.credentials.createInsecure()));
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([open.close(1_000), guarded.close(1_000), limited.close(1_000)]);
  lanes.close();
});

function call(method: string, request: object, options: { guarded?: boolean; limited?: boolean; key?: string } = {}): Promise<{ ok: any } | { error: grpc.ServiceError }> {
  const metadata = new grpc.Metadata();
  if (options.key) metadata.set('authorization', `Bearer ${options.key}`);
  return new Promise((resolve) => {
    clients[options.limited ? 2 : options.guarded ? 1 : 0][method](request, metadata, (error: grpc.ServiceError | null, ok: unknown) => resolve(error ? { error } : { ok }));
  });
}
const failure = (r: Awaited<ReturnType<typeof call>>) => {
  if (!('error' in r)) throw new Error(`succeeded: ${JSON.stringify(r.ok)}`);
  return { code: r.error.code, details: r.error.details, imCode: r.error.metadata.get('im-code')[0], retryAfter: r.error.metadata.get('retry-after')[0] };
};
const infer = { model_name: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: [2], contents: { fp32_contents: [1, 2] } }] };

describe('grpcStatusOf', () => {
  it('takes the status of every code from API_ERRORS, the code into the message and im-code, retry-after where the spec says', () => {
    for (const [code, spec] of Object.entries(API_ERRORS)) {
      const status = grpcStatusOf(new ApiError(code as ApiErrorCode, 'what went wrong'));
      expect(status.code, code).toBe(GRPC_STATUS[spec.grpc]);
      expect(status.details).toBe(`${code}: what went wrong`);
      expect(status.metadata?.get('im-code')).toEqual([code]);
      expect(status.metadata?.get('retry-after')).toEqual(spec.retryAfter ? ['1'] : []);
    }
  });
});

describe('gRPC API', () => {
  it('answers health and metadata; ServerReady is false while no worker serves a model', async () => {
    expect(await call('ServerLive', {})).toEqual({ ok: { live: true } });
    expect(await call('ServerReady', {})).toEqual({ ok: { ready: false } });
    expect(await call('ServerMetadata', {})).toEqual({ ok: { name: 'infermesh', version: '0.0.0-test', extensions: ['model_configuration', 'model_repository', 'statistics'] } });
    expect(await call('ModelReady', { name: 'm' })).toEqual({ ok: { ready: false } });
    expect(await call('ModelMetadata', { name: 'm' })).toEqual({
      ok: { name: 'm', versions: ['1'], platform: 'onnxruntime_onnx', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }] },
    });
  });

  it('fails with the status, code and retry-after of the one table', async () => {
    expect(failure(await call('ModelMetadata', { name: 'nope' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(failure(await call('ModelReady', { name: 'm', version: '0' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
    expect(failure(await call('ModelInfer', { ...infer, model_name: '-bad-' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
    const wrongType = { ...infer, inputs: [{ name: 'x', datatype: 'INT32', shape: [1], contents: { int_contents: [1] } }] };
    expect(failure(await call('ModelInfer', wrongType))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_INVALID_INPUT' });
    expect(failure(await call('ModelInfer', infer))).toEqual({
      code: grpc.status.UNAVAILABLE, imCode: 'IM_NO_WORKER', retryAfter: '1', details: expect.stringMatching(/^IM_NO_WORKER: /),
    });
    const badTimeout = { ...infer, parameters: { timeout_ms: { string_param: 'soon' } } };
    expect(failure(await call('ModelInfer', badTimeout))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
  });

  it('ModelConfig answers Triton\'s ModelConfig message from the service\'s config (enums by number to this client)', async () => {
    const json = service.config('m');
    const { config } = ((await call('ModelConfig', { name: 'm', version: '1' })) as { ok: any }).ok;
    expect(config).toMatchObject({
      name: 'm', platform: 'onnxruntime_onnx', backend: 'onnxruntime', max_batch_size: json.max_batch_size, default_model_filename: 'model.onnx',
      input: [{ name: 'x', data_type: 11, format: 0, dims: json.input[0]!.dims, is_shape_tensor: false, allow_ragged_batch: false, optional: false }],
      output: [{ name: 'y', data_type: 11, dims: json.output[0]!.dims, label_filename: '', is_shape_tensor: false }],
      instance_group: [{ name: 'm_0', kind: 2, count: 0, passive: false, host_policy: '' }],
      parameters: {},
    });
    expect(config.input[0].reshape).toEqual(json.input[0]!.reshape ?? null);
    expect(config.scheduling_choice).toBe(json.dynamic_batching ? 'dynamic_batching' : undefined);
    expect(config.dynamic_batching).toEqual(json.dynamic_batching ? {
      preferred_batch_size: json.dynamic_batching.preferred_batch_size, max_queue_delay_microseconds: json.dynamic_batching.max_queue_delay_microseconds,
      preserve_ordering: false, priority_levels: 0, default_priority_level: 0,
    } : null);
    expect(failure(await call('ModelConfig', { name: 'nope' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(failure(await call('ModelConfig', { name: 'm', version: '3' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_VERSION_NOT_FOUND' });
  });

  it('RepositoryIndex lists every registered version with its state (UNAVAILABLE while no worker serves it); ready: true only the READY ones', async () => {
    expect(await call('RepositoryIndex', {})).toEqual({
      ok: { models: [{ name: 'm', version: '1', state: 'UNAVAILABLE', reason: 'no healthy worker serves it' }, { name: 'u', version: '1', state: 'UNAVAILABLE', reason: 'no healthy worker serves it' }] },
    });
    expect(await call('RepositoryIndex', { ready: true })).toEqual({ ok: { models: [] } });
    expect(failure(await call('RepositoryIndex', { repository_name: 'other' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
  });

  it('ModelStatistics answers Triton\'s message from the same counters as HTTP: a failed ModelInfer counts in fail', async () => {
    const stats = async (): Promise<any> => ((await call('ModelStatistics', { name: 'm', version: '1' })) as { ok: any }).ok.model_stats;
    const before = await stats();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ name: 'm', version: '1', inference_count: 0, execution_count: 0, batch_stats: [], memory_usage: [] });
    expect(failure(await call('ModelInfer', infer)).imCode).toBe('IM_NO_WORKER');
    const after = await stats();
    expect(after[0].inference_stats.fail.count).toBe(before[0].inference_stats.fail.count + 1);
    expect(after[0].inference_stats.fail.ns).toBeGreaterThan(before[0].inference_stats.fail.ns);
    expect(after[0].inference_stats.success.count).toBe(0);
    // No name: every model; a name: every version of it; the answer equals the service's, which HTTP serves.
    const all = ((await call('ModelStatistics', {})) as { ok: any }).ok.model_stats.map((m: { name: string }) => m.name);
    expect(all).toEqual(expect.arrayContaining(['m', 'u']));
    expect(((await call('ModelStatistics', { name: 'm' })) as { ok: any }).ok).toEqual({
      model_stats: service.statistics('m').model_stats.map((m) => ({ ...m, memory_usage: [] })),
    });
    expect(failure(await call('ModelStatistics', { name: 'nope' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(failure(await call('ModelStatistics', { name: 'm', version: '9' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_VERSION_NOT_FOUND' });
    expect(failure(await call('ModelStatistics', { version: '1' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
  });

  it('RepositoryModelLoad / RepositoryModelUnload act through the repository control: NOT_FOUND for a model no repository holds', async () => {
    expect(failure(await call('RepositoryModelLoad', { model_name: 'm' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(failure(await call('RepositoryModelUnload', { model_name: 'nope' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(failure(await call('RepositoryModelUnload', { model_name: '' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, imCode: 'IM_BAD_REQUEST' });
    expect(failure(await call('RepositoryModelLoad', { repository_name: 'r', model_name: 'm' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    // Unloading a registered model drops it from the registry: its calls then answer NOT_FOUND.
    expect(await call('RepositoryModelUnload', { model_name: 'u', parameters: { unload_dependents: { bool_param: true } } })).toEqual({ ok: {} });
    expect(failure(await call('ModelMetadata', { name: 'u' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
    expect(failure(await call('ModelInfer', { ...infer, model_name: 'u' }))).toMatchObject({ code: grpc.status.NOT_FOUND, imCode: 'IM_MODEL_NOT_FOUND' });
  });

  it('refuses a message over maxMessageBytes with RESOURCE_EXHAUSTED', async () => {
    const big = { ...infer, inputs: [{ name: 'x', datatype: 'FP32', shape: [2000], contents: { fp32_contents: new Array(2000).fill(1) } }] };
    expect(failure(await call('ModelInfer', big)).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('with API keys: health RPCs open, the rest UNAUTHENTICATED without a valid key', async () => {
    expect(await call('ServerLive', {}, { guarded: true })).toEqual({ ok: { live: true } });
    expect(await call('ServerReady', {}, { guarded: true })).toEqual({ ok: { ready: false } });
    for (const key of [undefined, 'a-client-key-0002']) {
      const r = failure(await call('ModelMetadata', { name: 'm' }, { guarded: true, ...(key ? { key } : {}) }));
      expect(r).toMatchObject({ code: grpc.status.UNAUTHENTICATED, imCode: 'IM_UNAUTHORIZED' });
    }
    expect(await call('ModelMetadata', { name: 'm' }, { guarded: true, key: KEY })).toMatchObject({ ok: { name: 'm' } });
    for (const method of ['ModelConfig', 'RepositoryIndex', 'ModelStatistics', 'RepositoryModelLoad', 'RepositoryModelUnload']) {
      expect(failure(await call(method, { model_name: 'nope' }, { guarded: true })), method).toMatchObject({ code: grpc.status.UNAUTHENTICATED, imCode: 'IM_UNAUTHORIZED' });
    }
    expect(await call('RepositoryIndex', {}, { guarded: true, key: KEY })).toMatchObject({ ok: { models: expect.any(Array) } });
  });

  it('with rate limits: each key takes a token per call (health RPCs none), RESOURCE_EXHAUSTED IM_RATE_LIMITED with retry-after past the burst', async () => {
    for (let i = 0; i < 5; i++) expect(await call('ServerLive', {}, { limited: true })).toEqual({ ok: { live: true } });
    for (let i = 0; i < 2; i++) expect(await call('ModelMetadata', { name: 'm' }, { limited: true, key: KEY })).toMatchObject({ ok: { name: 'm' } });
    expect(failure(await call('ModelMetadata', { name: 'm' }, { limited: true, key: KEY }))).toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED, imCode: 'IM_RATE_LIMITED', retryAfter: '1',
    });
    now += 1_000;
    expect(await call('ModelMetadata', { name: 'm' }, { limited: true, key: KEY })).toMatchObject({ ok: { name: 'm' } });
    // The extension calls draw from the same bucket.
    now += 1_000;
    expect(await call('ModelStatistics', {}, { limited: true, key: KEY })).toMatchObject({ ok: { model_stats: expect.any(Array) } });
    expect(failure(await call('RepositoryIndex', {}, { limited: true, key: KEY }))).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, imCode: 'IM_RATE_LIMITED' });
    now += 1_000;
  });

  it('refuses every call with UNAVAILABLE IM_SHUTTING_DOWN once the coordinator stops accepting', async () => {
    accepting = false;
    try {
      expect(failure(await call('ModelInfer', infer))).toMatchObject({ code: grpc.status.UNAVAILABLE, imCode: 'IM_SHUTTING_DOWN', retryAfter: '1' });
      expect(failure(await call('ServerLive', {}))).toMatchObject({ code: grpc.status.UNAVAILABLE, imCode: 'IM_SHUTTING_DOWN' });
    } finally {
      accepting = true;
    }
  });
});
