import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AccessLog, createLogger, createMetrics, DashboardSampler, Tracer, TraceStore } from '@infermesh/telemetry';
import { describe, expect, it } from 'vitest';
import { RequestTelemetry, type RequestEdge } from './request-telemetry.js';

const HTTP: RequestEdge = { protocol: 'http', method: 'POST', route: '/v2/models/:name/infer', path: '/v2/models/mlp/infer' };
const GRPC: RequestEdge = { protocol: 'grpc', method: 'ModelInfer', route: '/inference.GRPCInferenceService/ModelInfer' };

function setup(sampled = true) {
  let now = 1_700_000_000_000;
  const store = new TraceStore();
  const provider = new BasicTracerProvider({ spanProcessors: [store], ...(sampled ? {} : { sampler: new AlwaysOffSampler() }) });
  const metrics = createMetrics({ defaultMetrics: false });
  const sampler = new DashboardSampler();
  const lines: Array<Record<string, unknown>> = [];
  const accessLog = new AccessLog(createLogger({ pretty: false, destination: { write: (line) => lines.push(JSON.parse(line)) } }));
  const tracer = new Tracer({ tracer: provider.getTracer('test'), store, clock: () => now });
  const telemetry = new RequestTelemetry({ tracer, metrics, sampler, accessLog });
  return { telemetry, metrics, sampler, store, lines, tick: (ms: number) => (now += ms) };
}

describe('RequestTelemetry', () => {
  it('records the stages of a batched request and hangs the worker spans under its transport span', async () => {
    const { telemetry, metrics, store, tick } = setup();
    const request = telemetry.start('POST /v2/models/:name/infer', HTTP);
    request.resolved('mlp', '1');
    request.admission(() => tick(1));
    request.cacheLookup();
    tick(2);
    request.cacheLookedUp(false);
    request.queued();
    tick(3);
    const traceparent = request.dispatched({ model: 'mlp', version: '1', stage: 'all', name: 'mlp:1', batchSize: 4 });
    expect(traceparent).toMatch(new RegExp(`^00-${request.traceId}-[0-9a-f]{16}-01$`));
    tick(10);
    request.answered([{ name: 'inference', startMs: 1_700_000_000_007, durationMs: 5 }], 'worker-1');
    request.settled();
    telemetry.finish(request, 'ok');

    const trace = store.get(request.traceId)!.traces[0]!;
    expect(trace.spans.map((s) => [s.name, s.durationMs])).toEqual([
      ['POST /v2/models/:name/infer', 16], ['admission', 1], ['cache', 2], ['batch-wait', 3], ['transport', 10], ['inference', 5],
    ]);
    const transport = trace.spans.find((s) => s.name === 'transport')!;
    expect(trace.spans.find((s) => s.name === 'inference')!.parentSpanId).toBe(transport.spanId);
    expect(transport.attributes).toEqual({
      'infermesh.model': 'mlp', 'infermesh.version': '1', 'infermesh.stage': 'all', 'infermesh.lane': 'mlp:1', 'infermesh.batch_size': 4,
      'infermesh.queue_wait_ms': 3, 'infermesh.worker': 'worker-1',
    });
    expect(trace.spans[0]!.attributes).toMatchObject({
      'http.request.method': 'POST', 'http.route': '/v2/models/:name/infer', 'url.path': '/v2/models/mlp/infer', 'http.response.status_code': 200,
      'infermesh.model': 'mlp', 'infermesh.version': '1', 'infermesh.cache': 'miss',
    });
    expect(trace.spans.find((s) => s.name === 'cache')!.attributes).toEqual({ 'infermesh.cache': 'miss' });
    expect(await metrics.requests.get()).toMatchObject({ values: [{ labels: { model: 'mlp', version: '1', outcome: 'ok' }, value: 1 }] });
    expect((await metrics.cacheMisses.get()).values[0]?.value).toBe(1);
    expect((await metrics.stageDuration.get()).values.find((v) => v.labels.stage === 'batch-wait' && v.metricName?.endsWith('_count'))?.labels)
      .toEqual({ model: 'mlp', version: '1', stage: 'batch-wait' });
    expect((await metrics.queueWait.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBeCloseTo(0.003, 9);
    expect((await metrics.compute.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBeCloseTo(0.005, 9);
  });

  it('an unsampled request counts its compute from the batch timings (the worker sends spans only when sampled)', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const telemetry = new RequestTelemetry({ tracer: new Tracer(), metrics, sampler: new DashboardSampler() });
    const request = telemetry.start('r', HTTP);
    expect(request.trace.recording).toBe(false);
    request.resolved('mlp', '1');
    request.queued();
    request.dispatched();
    request.answered(undefined, 'w', { preprocessMs: 1, inferenceMs: 3, postprocessMs: 2 });
    request.settled();
    telemetry.finish(request, 'ok');
    const sum = (await metrics.compute.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value;
    expect(sum).toBeCloseTo(0.006, 9);
  });

  it('feeds the dashboard per model, with the error code, queue wait and compute', () => {
    let now = 1_000;
    let wall = 50_000;
    const sampler = new DashboardSampler({ clock: () => wall });
    const telemetry = new RequestTelemetry({ tracer: new Tracer({ clock: () => now }), metrics: createMetrics({ defaultMetrics: false }), sampler });
    const request = telemetry.start('r', HTTP);
    request.resolved('mlp', '1');
    request.queued();
    now += 4;
    request.dispatched();
    request.answered([{ name: 'inference', startMs: now, durationMs: 2 }]);
    now += 3;
    request.settled();
    telemetry.finish(request, 'IM_WORKER_RUNTIME');
    wall += 1000;
    const data = sampler.snapshot();
    expect(data.errors).toEqual([{ code: 'IM_WORKER_RUNTIME', window: 1, recent: 1 }]);
    const row = data.models[0]!;
    expect(row).toMatchObject({ model: 'mlp', requests: 1, failed: 1, errors: { IM_WORKER_RUNTIME: 1 } });
    // Read from ±9% log buckets: 4 ms waiting for the batch, 2 ms of inference on the worker.
    expect(row.queueP50Ms! / 4).toBeGreaterThan(0.9);
    expect(row.queueP50Ms! / 4).toBeLessThan(1.1);
    expect(row.computeP50Ms! / 2).toBeGreaterThan(0.9);
    expect(row.computeP50Ms! / 2).toBeLessThan(1.1);
  });

  it('counts a request refused before its model resolved under model "unknown", without a latency observation', async () => {
    const { telemetry, metrics, sampler } = setup();
    telemetry.finish(telemetry.start('WS infer', { protocol: 'ws', method: 'infer', route: '/v2/ws' }), 'IM_MODEL_NOT_FOUND');
    expect((await metrics.requests.get()).values).toEqual([
      expect.objectContaining({ labels: { model: 'unknown', version: '', outcome: 'IM_MODEL_NOT_FOUND' }, value: 1 }),
    ]);
    expect((await metrics.requestDuration.get()).values.every((v) => v.value === 0)).toBe(true);
    expect(sampler.snapshot().totals).toMatchObject({ requests: 1, failed: 1 });
  });

  it('ends an abandoned stage when the request settles, and marks a transport without an answer as failed', () => {
    const { telemetry, store } = setup();
    const request = telemetry.start('r', HTTP);
    request.queued();
    request.dispatched();
    request.settled();
    telemetry.finish(request, 'IM_TIMEOUT');
    const spans = store.get(request.traceId)!.traces[0]!.spans;
    expect(spans.every((s) => s.durationMs !== null)).toBe(true);
    expect(spans.find((s) => s.name === 'transport')?.attributes).toMatchObject({ 'error.type': 'IM_WORKER_FAILED' });
    expect(spans[0]?.attributes).toMatchObject({ 'error.type': 'IM_TIMEOUT', 'http.response.status_code': 504 });
  });

  it('continues a valid incoming traceparent', () => {
    const { telemetry } = setup();
    const request = telemetry.start('r', HTTP, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(request.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(request.trace.parentSpanId).toBe('00f067aa0ba902b7');
  });

  it('writes one access line per request with the status of its protocol, and semantic-convention attributes for gRPC', () => {
    const { telemetry, lines, store } = setup();
    const ok = telemetry.start('inference.GRPCInferenceService/ModelInfer', GRPC);
    ok.resolved('mlp', '1');
    telemetry.finish(ok, 'ok');
    const bad = telemetry.start('POST /v2/models/:name/infer', HTTP);
    telemetry.finish(bad, 'IM_INVALID_INPUT');
    expect(lines.map(({ protocol, method, route, model, status, code, trace_id, level }) => ({ protocol, method, route, model, status, code, trace_id, level }))).toEqual([
      { protocol: 'grpc', method: 'ModelInfer', route: '/inference.GRPCInferenceService/ModelInfer', model: 'mlp', status: 0, code: 'ok', trace_id: ok.traceId, level: 30 },
      { protocol: 'http', method: 'POST', route: '/v2/models/:name/infer', model: undefined, status: 400, code: 'IM_INVALID_INPUT', trace_id: bad.traceId, level: 40 },
    ]);
    expect(typeof lines[0]!['duration_ms']).toBe('number');
    expect(store.get(ok.traceId)!.traces[0]!.spans[0]!.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'inference.GRPCInferenceService', 'rpc.method': 'ModelInfer', 'rpc.grpc.status_code': 0 });
  });

  it('makes no OpenTelemetry span below an unsampled root, and still feeds the stage metrics', async () => {
    const { telemetry, metrics, store, tick } = setup(false);
    const request = telemetry.start('r', HTTP);
    request.resolved('mlp', '1');
    request.queued();
    tick(3);
    const traceparent = request.dispatched({ model: 'mlp', version: '1', stage: 'all', name: 'mlp:1', batchSize: 1 });
    expect(traceparent).toMatch(/-00$/);
    request.answered([{ name: 'inference', startMs: 1_700_000_000_004, durationMs: 1 }]);
    telemetry.finish(request, 'ok');
    expect(request.trace.recording).toBe(false);
    expect(store.get(request.traceId)).toBeUndefined();
    expect((await metrics.stageDuration.get()).values.find((v) => v.labels.stage === 'batch-wait' && v.metricName?.endsWith('_sum'))?.value).toBeCloseTo(0.003);
  });
});
