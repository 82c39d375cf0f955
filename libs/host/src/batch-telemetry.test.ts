import type { InferBatchRequest } from '@infermesh/contracts';
import { createWorkerMetrics, Tracer } from '@infermesh/telemetry';
import { describe, expect, it } from 'vitest';
import { BatchTelemetry } from './batch-telemetry.js';

const request = (traceparent?: string): InferBatchRequest => ({
  model: 'm', version: '1', stage: 'all', items: [{ id: 'a', inputs: {}, parameters: {}, outputs: [] }, { id: 'b', inputs: {}, parameters: {}, outputs: [] }],
  ...(traceparent ? { traceparent } : {}),
});

describe('BatchTelemetry', () => {
  it('returns the stage spans of a traced batch and counts its items by outcome', async () => {
    let now = 100;
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const telemetry = new BatchTelemetry(new Tracer({ clock: () => now }), metrics);
    const answer = await telemetry.run(request('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), async (stages) => {
      for (const [stage, ms] of [['preprocess', 1], ['inference', 4], ['postprocess', 2]] as const) {
        const span = stages!.start(stage);
        now += ms;
        span.end();
      }
      return { items: [{ ok: true, outputs: {} }, { ok: false, error: { code: 'IM_WORKER_BAD_INPUT', message: 'x' } }], computeMs: 7 };
    });
    expect(answer.spans?.map((s) => [s.name, s.startMs, s.durationMs])).toEqual([['preprocess', 100, 1], ['inference', 101, 4], ['postprocess', 105, 2]]);
    const counts = Object.fromEntries((await metrics.batchItems.get()).values.map((v) => [v.labels.outcome, v.value]));
    expect(counts).toEqual({ ok: 1, IM_WORKER_BAD_INPUT: 1 });
    // One batch, answered (its items' own outcomes are counted apart).
    expect((await metrics.batches.get()).values).toEqual([expect.objectContaining({ labels: { model: 'm', version: '1', outcome: 'ok' }, value: 1 })]);
    expect((await metrics.batchSize.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBe(2);
    expect((await metrics.batchDuration.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(1);
    const inference = (await metrics.stageDuration.get()).values.find((v) => v.metricName?.endsWith('_sum') && v.labels.stage === 'inference');
    expect(inference).toMatchObject({ labels: { model: 'm', version: '1', stage: 'inference' } });
    expect(inference?.value).toBeCloseTo(0.004, 9);
    expect((await metrics.batchesInFlight.get()).values[0]?.value).toBe(0);
  });

  it('returns no spans for an untraced batch, and counts every item of a batch that throws as failed', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const telemetry = new BatchTelemetry(new Tracer(), metrics);
    const answer = await telemetry.run(request(), async () => ({ items: [], computeMs: 0 }));
    expect(answer.spans).toBeUndefined();
    await expect(telemetry.run(request(), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await metrics.batchItems.get()).values).toEqual([expect.objectContaining({ labels: { model: 'm', version: '1', outcome: 'IM_WORKER_RUNTIME' }, value: 2 })]);
    expect((await metrics.batches.get()).values).toEqual([
      expect.objectContaining({ labels: { model: 'm', version: '1', outcome: 'ok' }, value: 1 }),
      expect.objectContaining({ labels: { model: 'm', version: '1', outcome: 'IM_WORKER_RUNTIME' }, value: 1 }),
    ]);
  });

  it('returns no spans when the caller did not sample the trace (flag 00): parent-based sampling holds across the channel', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const telemetry = new BatchTelemetry(new Tracer(), metrics);
    const answer = await telemetry.run(request('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'), async (stages) => {
      stages!.start('inference').end();
      return { items: [], computeMs: 0 };
    });
    expect(answer.spans).toBeUndefined();
    expect((await metrics.stageDuration.get()).values.find((v) => v.labels.stage === 'inference' && v.metricName?.endsWith('_count'))?.value).toBe(1);
  });

  it('traces without a metric set (an embedded worker): the same spans, nothing observed', async () => {
    let now = 10;
    const telemetry = new BatchTelemetry(new Tracer({ clock: () => now }), undefined, 'inline');
    const answer = await telemetry.run(request('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), async (stages) => {
      const span = stages!.start('inference');
      now += 3;
      span.end();
      return { items: [{ ok: true, outputs: {} }, { ok: true, outputs: {} }], computeMs: 3 };
    });
    expect(answer.spans?.map((s) => [s.name, s.startMs, s.durationMs])).toEqual([['inference', 10, 3]]);
    await expect(telemetry.run(request(), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('runs an embedded worker\'s batch untraced when its caller did not sample it, and traced when it did or sent no traceparent', async () => {
    const telemetry = new BatchTelemetry(new Tracer(), undefined, 'inline');
    const timers: boolean[] = [];
    const run = (traceparent?: string) => telemetry.run(request(traceparent), async (stages) => {
      timers.push(stages !== undefined);
      return { items: [], computeMs: 0 };
    });
    const answer = await run('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    expect(answer.spans).toBeUndefined();
    await run('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    await run();
    // A worker with a metric set traces every batch: its stage histograms read the spans.
    await new BatchTelemetry(new Tracer(), createWorkerMetrics({ defaultMetrics: false })).run(request('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'), async (stages) => {
      timers.push(stages !== undefined);
      return { items: [], computeMs: 0 };
    });
    expect(timers).toEqual([false, true, true, true]);
  });
});
