import { ModelRegistry } from '@infermesh/registry';
import { createLogger } from '@infermesh/telemetry';
import { afterAll, describe, expect, it } from 'vitest';
import { AsyncJobs } from './async-jobs.js';
import { CoordinatorTelemetry } from './coordinator-telemetry.js';
import { buildHttpApi } from './http-api.js';
import { testServingCore } from './test-serving-core.js';

const registry = new ModelRegistry();
registry.register({
  name: 'm', version: '1', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
});
const { pool, lanes, service, repository } = await testServingCore({ registry, maxElements: 1_000, maxInFlight: 10, drainTimeoutMs: 1_000 });
const log = createLogger({ level: 'silent', name: 'test' });
const telemetry = new CoordinatorTelemetry({ traceStoreSize: 10 }, log);
const jobs = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 10 });
let accepting = true;
const app = buildHttpApi({
  service, repository, pool, lanes, jobs, cache: undefined, log, telemetry, bodyLimitBytes: 4096, version: '0.0.0-test', ready: () => accepting,
  accepting: () => accepting, requestTimeoutMs: 1_000,
  server: { headersTimeoutMs: 5_000, receiveTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 100 },
});
afterAll(async () => {
  await app.close();
  lanes.close();
});

const infer = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url: '/v2/models/m/infer', headers, payload: typeof body === 'string' ? body : JSON.stringify(body) });
const okBody = { inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data: [1, 2] }] };

describe('HTTP API', () => {
  it('answers an async request id of 65 to 100 characters with 400 IM_BAD_REQUEST, not 500 (bug: a ZodError became IM_INTERNAL)', async () => {
    for (const length of [65, 80, 100]) {
      const res = await app.inject(`/v2/requests/${'a'.repeat(length)}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'IM_BAD_REQUEST', error: expect.stringContaining('id') });
    }
    expect((await app.inject(`/v2/requests/${'a'.repeat(64)}`)).json()).toMatchObject({ code: 'IM_REQUEST_NOT_FOUND' });
  });

  it('checks route parameters by the route\'s schema: a bad model name or version is a 400', async () => {
    expect((await app.inject('/v2/models/-bad-')).json()).toMatchObject({ code: 'IM_BAD_REQUEST' });
    expect((await app.inject('/v2/models/m/versions/0')).json()).toMatchObject({ code: 'IM_BAD_REQUEST' });
    expect((await app.inject('/v2/traces/xyz')).statusCode).toBe(400);
    expect((await app.inject(`/v2/traces/${'0'.repeat(32)}`)).json()).toMatchObject({ code: 'IM_BAD_REQUEST' });
    expect((await app.inject(`/v2/traces/${'ab'.repeat(16)}`)).json()).toMatchObject({ code: 'IM_NOT_FOUND' });
  });

  it('answers the protocol\'s error body with the code, status and Retry-After of the one table', async () => {
    const unknown = await app.inject('/v2/models/nope');
    expect([unknown.statusCode, unknown.json()]).toEqual([404, { error: expect.any(String), code: 'IM_MODEL_NOT_FOUND' }]);
    const route = await app.inject('/v3/what');
    expect([route.statusCode, route.json().code]).toEqual([404, 'IM_NOT_FOUND']);
    const badJson = await infer('{"inputs": [');
    expect([badJson.statusCode, badJson.json().code]).toEqual([400, 'IM_BAD_REQUEST']);
    const badInput = await infer({ inputs: [{ name: 'x', datatype: 'INT8', shape: [1], data: [1] }] });
    expect([badInput.statusCode, badInput.json().code]).toEqual([400, 'IM_INVALID_INPUT']);
    const tooBig = await infer({ ...okBody, pad: 'x'.repeat(5_000) });
    expect([tooBig.statusCode, tooBig.json().code]).toEqual([413, 'IM_PAYLOAD_TOO_LARGE']);
    const noWorker = await infer(okBody);
    expect([noWorker.statusCode, noWorker.json().code, noWorker.headers['retry-after']]).toEqual([503, 'IM_NO_WORKER', '1']);
    const badTimeout = await infer(okBody, { 'content-type': 'application/json', 'x-request-timeout-ms': 'soon' });
    expect([badTimeout.statusCode, badTimeout.json().code]).toEqual([400, 'IM_BAD_REQUEST']);
  });

  it('answers the framework\'s own refusals with codes: 405 with Allow, 414', async () => {
    const wrongMethod = await app.inject({ method: 'GET', url: '/v2/models/m/infer' });
    expect([wrongMethod.statusCode, wrongMethod.json().code, wrongMethod.headers['allow']]).toEqual([405, 'IM_METHOD_NOT_ALLOWED', 'POST']);
    const deleteStatus = await app.inject({ method: 'DELETE', url: '/v2/status' });
    expect([deleteStatus.statusCode, deleteStatus.json().code]).toEqual([405, 'IM_METHOD_NOT_ALLOWED']);
    const longName = await app.inject(`/v2/models/${'a'.repeat(300)}`);
    expect([longName.statusCode, longName.json().code]).toEqual([414, 'IM_URI_TOO_LONG']);
  });

  it('reads an infer body as JSON whatever its content type, or none (Triton\'s client sends none); only a body that does not parse is a 400', async () => {
    // Reaching the service (503: no worker) proves the body parsed and passed the request check.
    for (const contentType of [undefined, 'application/json', 'application/octet-stream', 'text/plain', 'application/json; charset=utf-8']) {
      const res = await app.inject({
        method: 'POST', url: '/v2/models/m/infer', payload: Buffer.from(JSON.stringify(okBody)),
        headers: contentType === undefined ? {} : { 'content-type': contentType },
      });
      expect([contentType, res.statusCode, res.json().code]).toEqual([contentType, 503, 'IM_NO_WORKER']);
    }
    for (const contentType of [undefined, 'application/octet-stream', 'text/plain']) {
      const res = await app.inject({
        method: 'POST', url: '/v2/models/m/infer', payload: Buffer.from('hello'),
        headers: contentType === undefined ? {} : { 'content-type': contentType },
      });
      expect([res.statusCode, Object.keys(res.json()).sort(), res.json().code]).toEqual([400, ['code', 'error'], 'IM_BAD_REQUEST']);
      expect(res.json().error).toContain('not JSON');
    }
    const empty = await app.inject({ method: 'POST', url: '/v2/models/m/infer', payload: '' });
    expect([empty.statusCode, empty.json().code]).toEqual([400, 'IM_BAD_REQUEST']);
    const tooBig = await app.inject({ method: 'POST', url: '/v2/models/m/infer', payload: Buffer.from(JSON.stringify({ ...okBody, pad: 'x'.repeat(5_000) })) });
    expect([tooBig.statusCode, tooBig.json().code]).toEqual([413, 'IM_PAYLOAD_TOO_LARGE']);
  });

  it('takes binary tensor data: a JSON header of Inference-Header-Content-Length bytes, then the raw FP32 bytes', async () => {
    const header = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } }] });
    const raw = Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]); // 1.0, 2.0 little-endian
    const send = (payload: Buffer, length: number) => app.inject({
      method: 'POST', url: '/v2/models/m/infer', payload,
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(length) },
    });
    const ok = await send(Buffer.concat([Buffer.from(header), raw]), header.length);
    expect([ok.statusCode, ok.json().code]).toEqual([503, 'IM_NO_WORKER']); // decoded and checked: only the worker is missing
    const short = await send(Buffer.concat([Buffer.from(header), raw.subarray(0, 7)]), header.length);
    expect([short.statusCode, short.json().code, short.json().error]).toEqual([400, 'IM_INVALID_INPUT', expect.stringContaining("input 'x': binary_data_size 8 runs past")]);
    const wrongSize = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 7 } }] });
    const bad = await send(Buffer.concat([Buffer.from(wrongSize), raw.subarray(0, 7)]), wrongSize.length);
    expect([bad.statusCode, bad.json().code, bad.json().error]).toEqual([400, 'IM_INVALID_INPUT', expect.stringContaining('7 bytes, FP32 [2] needs 8')]);
    const extra = await send(Buffer.concat([Buffer.from(header), raw, Buffer.from([1])]), header.length);
    expect([extra.statusCode, extra.json().code]).toEqual([400, 'IM_BAD_REQUEST']);
    const badLength = await send(Buffer.concat([Buffer.from(header), raw]), header.length + 100);
    expect([badLength.statusCode, badLength.json().code]).toEqual([400, 'IM_BAD_REQUEST']);
    // The raw binary request: no JSON at all; m's one input [-1] takes one row (4 bytes), so 12 bytes do not fit.
    const rawBody = await send(Buffer.from(new Float32Array(3).buffer), 0);
    expect([rawBody.statusCode, rawBody.json().code, rawBody.json().error]).toEqual([400, 'IM_INVALID_INPUT', expect.stringContaining('raw binary request')]);
    const rawUnknown = await app.inject({ method: 'POST', url: '/v2/models/zz/infer', headers: { 'inference-header-content-length': '0' }, payload: Buffer.alloc(4) });
    expect([rawUnknown.statusCode, rawUnknown.json().code]).toEqual([404, 'IM_MODEL_NOT_FOUND']);
    const noData = await infer({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2] }] });
    expect([noData.statusCode, noData.json().code]).toEqual([400, 'IM_INVALID_INPUT']);
  });

  it('announces exactly the extensions it serves, by Triton\'s names, and serves each of them', async () => {
    const meta = (await app.inject('/v2')).json();
    expect(meta.extensions).toEqual(['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'statistics', 'async_infer', 'websocket']);
    // model_repository: m is registered but no worker serves it; a body is optional and checked when given.
    const index = await app.inject({ method: 'POST', url: '/v2/repository/index' });
    expect([index.statusCode, index.json()]).toEqual([200, [{ name: 'm', version: '1', state: 'UNAVAILABLE', reason: 'no healthy worker serves it' }]]);
    expect((await app.inject({ method: 'POST', url: '/v2/repository/index', payload: '{"ready":true}' })).json()).toEqual([]);
    expect((await app.inject({ method: 'POST', url: '/v2/repository/index', payload: '{"ready":"yes"}' })).json()).toMatchObject({ code: 'IM_BAD_REQUEST' });
    const load = await app.inject({ method: 'POST', url: '/v2/repository/models/nope/load' });
    expect([load.statusCode, load.json().code]).toEqual([404, 'IM_MODEL_NOT_FOUND']);
    const unload = await app.inject({ method: 'POST', url: '/v2/repository/models/nope/unload' });
    expect([unload.statusCode, unload.json().code]).toEqual([404, 'IM_MODEL_NOT_FOUND']);
    expect((await app.inject({ method: 'POST', url: '/v2/repository/models/-bad-/load' })).statusCode).toBe(400);
    // model_configuration
    const config = await app.inject('/v2/models/m/config');
    expect([config.statusCode, config.json()]).toMatchObject([200, { name: 'm', max_batch_size: 64, input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [1], reshape: { shape: [] } }], instance_group: [{ count: 0, kind: 'KIND_CPU' }] }]);
    expect((await app.inject('/v2/models/m/versions/1/config')).json().name).toBe('m');
    expect((await app.inject('/v2/models/m/versions/2/config')).json()).toMatchObject({ code: 'IM_VERSION_NOT_FOUND' });
    // statistics: all models, one model, one version; unknown ones are 404
    const zero = { count: 0, ns: 0 };
    const all = (await app.inject('/v2/models/stats')).json();
    expect(all.model_stats).toHaveLength(1);
    expect(all.model_stats[0]).toMatchObject({ name: 'm', version: '1', inference_count: 0, execution_count: 0, batch_stats: [], inference_stats: { success: zero, queue: zero } });
    expect((await app.inject('/v2/models/m/stats')).json()).toEqual(all);
    expect((await app.inject('/v2/models/m/versions/1/stats')).json()).toEqual(all);
    expect((await app.inject('/v2/models/zz/stats')).json()).toMatchObject({ code: 'IM_MODEL_NOT_FOUND' });
  });

  it('turns readiness and new requests away while draining', async () => {
    expect((await app.inject('/v2/health/ready')).statusCode).toBe(503); // no worker serves anything
    accepting = false;
    try {
      const res = await infer(okBody);
      expect([res.statusCode, res.json().code, res.headers['retry-after'], res.headers['connection']]).toEqual([503, 'IM_SHUTTING_DOWN', '1', 'close']);
      expect((await app.inject('/v2/status')).headers['connection']).toBe('close');
    } finally {
      accepting = true;
    }
  });

  it('at capacity refuses an inference request before reading its body, with the trace headers and metric labels of any answer', async () => {
    const core = await testServingCore({ registry, maxElements: 1_000, maxInFlight: 1 });
    const full = buildHttpApi({
      service: core.service, repository: core.repository, pool: core.pool, lanes: core.lanes, jobs, cache: undefined, log, telemetry, bodyLimitBytes: 4096,
      version: '0.0.0-test', ready: () => true, accepting: () => true, requestTimeoutMs: 1_000,
      server: { headersTimeoutMs: 5_000, receiveTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 100 },
    });
    try {
      const count = async (outcome: string): Promise<number> => {
        const series = `infermesh_requests_total{model="m",version="1",outcome="${outcome}"} `;
        const line = (await telemetry.exposition()).body.split('\n').find((l) => l.startsWith(series));
        return line === undefined ? 0 : Number(line.slice(series.length));
      };
      const before = await count('IM_OVERLOADED');
      // With a slot free, a body that is not JSON is the client's error.
      expect((await full.inject({ method: 'POST', url: '/v2/models/m/infer', payload: '{"inputs": [' })).json().code).toBe('IM_BAD_REQUEST');
      core.service.admit(performance.now() + 60_000);
      // Full: the same body is not read, the request is refused as any request would be.
      const res = await full.inject({ method: 'POST', url: '/v2/models/m/versions/1/infer', payload: '{"inputs": [', headers: { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-00` } });
      expect([res.statusCode, res.json().code, res.headers['retry-after']]).toEqual([429, 'IM_OVERLOADED', '1']);
      expect(res.headers['x-request-id']).toBe('ab'.repeat(16));
      expect(res.headers['traceparent']).toMatch(new RegExp(`^00-${'ab'.repeat(16)}-[0-9a-f]{16}-00$`));
      expect(await count('IM_OVERLOADED')).toBe(before + 1);
      // An unknown model is still answered as unknown; a bad name as a bad name.
      expect((await full.inject({ method: 'POST', url: '/v2/models/zz/infer', payload: okBody })).json().code).toBe('IM_MODEL_NOT_FOUND');
      expect((await full.inject({ method: 'POST', url: '/v2/models/-bad-/infer', payload: okBody })).json().code).toBe('IM_BAD_REQUEST');
    } finally {
      await full.close();
      core.lanes.close();
    }
  });
});
