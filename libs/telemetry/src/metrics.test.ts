import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, mergedExposition } from './metrics.js';
import { createWorkerMetrics } from './worker-metrics.js';
import { Tracer } from './tracer.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict parser of the Prometheus text format (0.0.4) for what prom-client writes: HELP and TYPE
 * lines, then `name{label="value",...} number`. Throws on any line it does not understand.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const sampleLine = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
  const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3]!)) throw new Error(`bad TYPE: ${line}`);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const m = sampleLine.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    labelPair.lastIndex = 0;
    while (labelPair.lastIndex < body.length) {
      const lm = labelPair.exec(body);
      if (!lm) throw new Error(`bad labels: ${line}`);
      labels[lm[1]!] = lm[2]!;
    }
    const raw = m[3]!;
    // Go's ParseFloat, which Prometheus uses, takes NaN in any case; prom-client writes `Nan`.
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : /^nan$/i.test(raw) ? NaN : Number(raw);
    if (Number.isNaN(value) && !/^nan$/i.test(raw)) throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));

describe('createMetrics', () => {
  it('counters move by exactly the right amounts and the exposition parses', async () => {
    const m = createMetrics();
    m.requests.inc({ model: 'sentiment', version: '1', outcome: 'ok' });
    m.requests.inc({ model: 'sentiment', version: '1', outcome: 'ok' }, 2);
    m.requests.inc({ model: 'sentiment', version: '1', outcome: 'IM_OVERLOADED' });
    m.cacheHits.inc({ model: 'sentiment' }, 5);
    m.cacheMisses.inc({ model: 'sentiment' });
    m.requestDuration.observe({ model: 'sentiment', version: '1' }, 0.003);
    m.queueDepth.set({ model: 'sentiment' }, 7);
    m.inFlight.inc();
    m.inFlight.inc();
    m.inFlight.dec();
    for (const size of [1, 3, 64, 300]) m.batchSize.observe({ model: 'sentiment' }, size);
    m.setWorkerState('w1', 'healthy');
    m.setWorkerState('w1', 'draining');

    const before = parseExposition((await m.exposition()).body).samples;
    m.requests.inc({ model: 'sentiment', version: '1', outcome: 'ok' });
    m.cacheMisses.inc({ model: 'sentiment' }, 2);
    const { contentType, body } = await m.exposition();
    const { samples, types } = parseExposition(body);

    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(before, 'infermesh_requests_total', { outcome: 'ok' })).toBe(3);
    expect(value(samples, 'infermesh_requests_total', { model: 'sentiment', version: '1', outcome: 'ok' })).toBe(4);
    expect(value(samples, 'infermesh_requests_total', { outcome: 'IM_OVERLOADED' })).toBe(1);
    expect(value(samples, 'infermesh_cache_hits_total', { model: 'sentiment' })).toBe(5);
    expect(value(before, 'infermesh_cache_misses_total')! + 2).toBe(value(samples, 'infermesh_cache_misses_total'));
    expect(value(samples, 'infermesh_queue_depth', { model: 'sentiment' })).toBe(7);
    expect(value(samples, 'infermesh_in_flight_requests')).toBe(1);
    expect(value(samples, 'infermesh_request_duration_seconds_count')).toBe(1);
    expect(value(samples, 'infermesh_request_duration_seconds_bucket', { le: '0.0025' })).toBe(0);
    expect(value(samples, 'infermesh_request_duration_seconds_bucket', { le: '0.005' })).toBe(1);
    expect(samples.filter((s) => s.name === 'infermesh_batch_size_bucket').map((s) => [s.labels['le'], s.value])).toEqual([
      ['1', 1], ['2', 1], ['4', 2], ['8', 2], ['16', 2], ['32', 2], ['64', 3], ['128', 3], ['256', 3], ['+Inf', 4],
    ]);
    expect(value(samples, 'infermesh_worker_state', { worker: 'w1', state: 'draining' })).toBe(1);
    expect(value(samples, 'infermesh_worker_state', { worker: 'w1', state: 'healthy' })).toBe(0);
    expect(types.get('infermesh_requests_total')).toBe('counter');
    expect(types.get('infermesh_stage_duration_seconds')).toBe('histogram');
    // Default process metrics carry the prefix too.
    expect(samples.some((s) => s.name === 'infermesh_process_cpu_user_seconds_total')).toBe(true);

    m.workerEjections.inc({ worker: 'w1' });
    m.workerInFlight.set({ worker: 'w1' }, 2);
    m.removeWorker('w1');
    expect(parseExposition((await m.exposition()).body).samples.some((s) => s.labels['worker'] === 'w1')).toBe(false);
  });

  it.skipIf(!PROMTOOL)('passes `promtool check metrics` with every series in use and the default process metrics on, coordinator and worker sets alike', async () => {
    const check = (input: string) => {
      const r = spawnSync(PROMTOOL!, ['check', 'metrics'], { input, encoding: 'utf8' });
      return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
    };
    const coordinator = createMetrics({ prefix: 'im_' });
    coordinator.requests.inc({ model: 'a', version: '1', outcome: 'ok' });
    coordinator.requestDuration.observe({ model: 'a', version: '1' }, 0.01);
    coordinator.stageDuration.observe({ model: 'a', version: '1', stage: 'inference' }, 0.001);
    coordinator.queueWait.observe({ model: 'a', version: '1' }, 0.001);
    coordinator.compute.observe({ model: 'a', version: '1' }, 0.001);
    coordinator.setWorkerState('w1', 'healthy');
    coordinator.workerEjections.inc({ worker: 'w1' });
    coordinator.modelHealthyWorkers.set({ model: 'a' }, 1);
    coordinator.placementActions.inc({ action: 'load', result: 'ok' });
    coordinator.placementReplicasDesired.set({ model: 'a' }, 2);
    coordinator.placementReplicasActual.set({ model: 'a' }, 1);
    const body = (await coordinator.exposition()).body;
    // The three misnamed default gauges are left out; their suffix-less twins stay.
    expect(body).not.toMatch(/nodejs_active_\w+_total/);
    expect(body).toMatch(/^im_nodejs_active_handles\{type="/m);
    expect(check(body)).toEqual({ status: 0, out: '' });

    const worker = createWorkerMetrics({ prefix: 'im_' });
    worker.batches.inc({ model: 'a', version: '1', outcome: 'ok' });
    worker.batchItems.inc({ model: 'a', version: '1', outcome: 'ok' }, 3);
    worker.batchDuration.observe({ model: 'a', version: '1' }, 0.002);
    worker.batchSize.observe({ model: 'a', version: '1' }, 3);
    expect(check((await worker.exposition()).body)).toEqual({ status: 0, out: '' });
  });

  it('observes the stage spans of a finished trace by model, once per stage with their time summed, and its queue wait and compute', async () => {
    let now = 0;
    const m = createMetrics({ defaultMetrics: false });
    const trace = new Tracer({ clock: () => now }).start('req');
    for (const [name, ms] of [['cache', 1], ['batch-wait', 2], ['inference', 20], ['postprocess', 4], ['batch-wait', 3], ['not-a-stage', 5]] as const) {
      const s = trace.span(name);
      now += ms;
      s.end();
    }
    trace.end();
    const labels = { model: 'mlp', version: '2' };
    expect(m.observeStages(labels, trace.toJSON())).toEqual({ queueMs: 5, computeMs: 24 });
    const { samples } = parseExposition((await m.exposition()).body);
    expect(value(samples, 'infermesh_stage_duration_seconds_count', { ...labels, stage: 'cache' })).toBe(1);
    expect(value(samples, 'infermesh_stage_duration_seconds_sum', { ...labels, stage: 'inference' })).toBeCloseTo(0.02, 9);
    expect(value(samples, 'infermesh_stage_duration_seconds_count', { ...labels, stage: 'batch-wait' })).toBe(1);
    expect(value(samples, 'infermesh_stage_duration_seconds_sum', { ...labels, stage: 'batch-wait' })).toBeCloseTo(0.005, 9);
    expect(value(samples, 'infermesh_queue_wait_seconds_sum', labels)).toBeCloseTo(0.005, 9);
    expect(value(samples, 'infermesh_compute_seconds_sum', labels)).toBeCloseTo(0.024, 9);
    expect(value(samples, 'infermesh_compute_seconds_count', labels)).toBe(1);
    expect(samples.some((s) => s.labels['stage'] === 'not-a-stage')).toBe(false);
  });

  it('starts each trace from nothing: stages of the one before are neither carried nor observed again', async () => {
    let now = 0;
    const m = createMetrics({ defaultMetrics: false });
    const tracer = new Tracer({ clock: () => now });
    const traceOf = (stages: ReadonlyArray<readonly [string, number]>) => {
      const trace = tracer.start('req');
      for (const [name, ms] of stages) {
        const s = trace.span(name);
        now += ms;
        s.end();
      }
      trace.end();
      return trace;
    };
    const a = { model: 'a', version: '1' };
    const b = { model: 'b', version: '1' };
    expect(m.observeStages(a, traceOf([['batch-wait', 2], ['inference', 10]]))).toEqual({ queueMs: 2, computeMs: 10 });
    expect(m.observeStages(b, traceOf([['cache', 1]]))).toEqual({ queueMs: null, computeMs: null });
    expect(m.observeStages(a, traceOf([['inference', 6]]))).toEqual({ queueMs: null, computeMs: 6 });
    const { samples } = parseExposition((await m.exposition()).body);
    expect(value(samples, 'infermesh_stage_duration_seconds_count', { ...a, stage: 'inference' })).toBe(2);
    expect(value(samples, 'infermesh_stage_duration_seconds_sum', { ...a, stage: 'inference' })).toBeCloseTo(0.016, 9);
    expect(value(samples, 'infermesh_stage_duration_seconds_count', { ...a, stage: 'batch-wait' })).toBe(1);
    expect(value(samples, 'infermesh_queue_wait_seconds_count', a)).toBe(1);
    expect(value(samples, 'infermesh_compute_seconds_count', a)).toBe(2);
    expect(samples.filter((s) => s.labels['model'] === 'b').map((s) => s.labels['stage'])).toEqual(expect.arrayContaining(['cache']));
    expect(samples.some((s) => s.labels['model'] === 'b' && s.labels['stage'] !== 'cache')).toBe(false);
  });

  it('observes neither queue wait nor compute for a request without those stages (a cache hit)', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const trace = new Tracer().start('req');
    trace.span('cache').end();
    trace.end();
    expect(m.observeStages({ model: 'a', version: '1' }, trace.toJSON())).toEqual({ queueMs: null, computeMs: null });
    const { samples } = parseExposition((await m.exposition()).body);
    expect(samples.some((s) => s.name.startsWith('infermesh_queue_wait_seconds') || s.name.startsWith('infermesh_compute_seconds'))).toBe(false);
  });

  it('registers in a given registry, and refuses bad options', () => {
    const registry = new Registry();
    createMetrics({ registry, prefix: 'x_', defaultMetrics: false });
    expect(registry.getSingleMetric('x_requests_total')).toBeDefined();
    expect(() => createMetrics({ prefix: '1bad' })).toThrow(TypeError);
    expect(() => createMetrics({ latencyBuckets: [] })).toThrow(RangeError);
    expect(() => createMetrics().setWorkerState('w', 'sleepy')).toThrow(RangeError);
  });
});

describe('createWorkerMetrics', () => {
  it('names a worker\'s batches and items apart from the coordinator\'s requests, in a registry of its own', async () => {
    const w = createWorkerMetrics({ defaultMetrics: false });
    w.batches.inc({ model: 'a', version: '1', outcome: 'ok' });
    w.batchItems.inc({ model: 'a', version: '1', outcome: 'ok' }, 8);
    const { samples, types } = parseExposition((await w.exposition()).body);
    expect(value(samples, 'infermesh_worker_batches_total', { model: 'a', outcome: 'ok' })).toBe(1);
    expect(value(samples, 'infermesh_worker_batch_items_total', { model: 'a', outcome: 'ok' })).toBe(8);
    expect(types.get('infermesh_worker_batch_duration_seconds')).toBe('histogram');
    expect(types.get('infermesh_worker_batches_in_flight')).toBe('gauge');
    expect([...types.keys()].filter((n) => !n.startsWith('infermesh_worker_'))).toEqual([]);
  });
});

describe('mergedExposition', () => {
  it('merges the snapshots of several processes: counters and histograms summed, gauges summed, series kept apart by label', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.requests.inc({ model: 'mlp', version: '1', outcome: 'ok' }, 3);
    b.requests.inc({ model: 'mlp', version: '1', outcome: 'ok' }, 4);
    b.requests.inc({ model: 'noop', version: '1', outcome: 'IM_TIMEOUT' });
    a.requestDuration.observe({ model: 'mlp', version: '1' }, 0.002);
    b.requestDuration.observe({ model: 'mlp', version: '1' }, 0.004);
    a.inFlight.set(2);
    b.inFlight.set(5);
    // Through JSON, as the snapshots cross from process to process.
    const snapshots = JSON.parse(JSON.stringify([await a.snapshot(), await b.snapshot()])) as Array<Awaited<ReturnType<typeof a.snapshot>>>;
    const { contentType, body } = await mergedExposition(snapshots);
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toContain('infermesh_requests_total{model="mlp",version="1",outcome="ok"} 7');
    expect(body).toContain('infermesh_requests_total{model="noop",version="1",outcome="IM_TIMEOUT"} 1');
    expect(body).toContain('infermesh_request_duration_seconds_count{model="mlp",version="1"} 2');
    expect(body).toMatch(/infermesh_request_duration_seconds_sum\{model="mlp",version="1"\} 0\.006/);
    expect(body).toContain('infermesh_in_flight_requests 7');
    // Process metrics keep prom-client's own rules: a start time means nothing summed, and is left out.
    expect((await a.exposition()).body).toContain('process_start_time_seconds');
    expect(body).not.toContain('process_start_time_seconds');
  });
});
