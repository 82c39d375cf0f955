import { createMetrics, DashboardSampler, Tracer, TraceStore } from '@infermesh/telemetry';
import { describe, expect, it } from 'vitest';
import { RequestTelemetry } from './request-telemetry.js';

function setup() {
  let now = 1_000;
  const store = new TraceStore();
  const metrics = createMetrics({ defaultMetrics: false });
  const sampler = new DashboardSampler();
  const telemetry = new RequestTelemetry({ tracer: new Tracer({ store, clock: () => now }), metrics, sampler });
  return { telemetry, metrics, sampler, store, tick: (ms: number) => (now += ms) };
}

describe('RequestTelemetry', () => {
  it('records the stages of a batched request and hangs the worker spans under its transport span', async () => {
    const { telemetry, metrics, store, tick } = setup();
    const request = telemetry.start('POST /v2/models/:name/infer');
    request.resolved('mlp', '1');
    request.admission(() => tick(1));
    request.cacheLookup();
    tick(2);
    request.cacheLookedUp(false);
    request.queued();
    tick(3);
    const traceparent = request.dispatched();
    expect(traceparent).toMatch(new RegExp(`^00-${request.traceId}-[0-9a-f]{16}-01$`));
    tick(10);
    request.answered([{ name: 'inference', startMs: 1_007, durationMs: 5 }]);
    request.settled();
    telemetry.finish(request, 'ok');

    const trace = store.get(request.traceId)!.traces[0]!;
    expect(trace.spans.map((s) => [s.name, s.durationMs])).toEqual([
      ['POST /v2/models/:name/infer', 16], ['admission', 1], ['cache', 2], ['batch-wait', 3], ['transport', 10], ['inference', 5],
    ]);
    const transport = trace.spans.find((s) => s.name === 'transport')!;
    expect(trace.spans.find((s) => s.name === 'inference')!.parentSpanId).toBe(transport.spanId);
    expect(await metrics.requests.get()).toMatchObject({ values: [{ labels: { model: 'mlp', version: '1', outcome: 'ok' }, value: 1 }] });
    expect((await metrics.cacheMisses.get()).values[0]?.value).toBe(1);
    expect((await metrics.stageDuration.get()).values.find((v) => v.labels.stage === 'batch-wait' && v.metricName?.endsWith('_count'))?.labels)
      .toEqual({ model: 'mlp', version: '1', stage: 'batch-wait' });
    expect((await metrics.queueWait.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBeCloseTo(0.003, 9);
    expect((await metrics.compute.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBeCloseTo(0.005, 9);
  });

  it('feeds the dashboard per model, with the error code, queue wait and compute', () => {
    let now = 1_000;
    let wall = 50_000;
    const sampler = new DashboardSampler({ clock: () => wall });
    const telemetry = new RequestTelemetry({ tracer: new Tracer({ clock: () => now }), metrics: createMetrics({ defaultMetrics: false }), sampler });
    const request = telemetry.start('r');
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
    telemetry.finish(telemetry.start('WS infer'), 'IM_MODEL_NOT_FOUND');
    expect((await metrics.requests.get()).values).toEqual([
      expect.objectContaining({ labels: { model: 'unknown', version: '', outcome: 'IM_MODEL_NOT_FOUND' }, value: 1 }),
    ]);
    expect((await metrics.requestDuration.get()).values.every((v) => v.value === 0)).toBe(true);
    expect(sampler.snapshot().totals).toMatchObject({ requests: 1, failed: 1 });
  });

  it('ends an abandoned stage when the request settles, and marks a transport without an answer as failed', () => {
    const { telemetry, store } = setup();
    const request = telemetry.start('r');
    request.queued();
    request.dispatched();
    request.settled();
    telemetry.finish(request, 'IM_TIMEOUT');
    const spans = store.get(request.traceId)!.traces[0]!.spans;
    expect(spans.every((s) => s.durationMs !== null)).toBe(true);
    expect(spans.find((s) => s.name === 'transport')?.attributes).toMatchObject({ error: true });
  });

  it('continues a valid incoming traceparent', () => {
    const { telemetry } = setup();
    const request = telemetry.start('r', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(request.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(request.trace.parentSpanId).toBe('00f067aa0ba902b7');
  });
});
