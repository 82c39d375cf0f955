import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
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

    m.removeWorker('w1');
    expect(parseExposition((await m.exposition()).body).samples.some((s) => s.name === 'infermesh_worker_state')).toBe(false);
  });

  it.skipIf(!PROMTOOL)('passes `promtool check metrics` (our metrics lint clean; the default set only has prom-client\'s own lint notes)', async () => {
    const check = (input: string) => {
      const r = spawnSync(PROMTOOL!, ['check', 'metrics'], { input, encoding: 'utf8' });
      return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
    };
    const ours = createMetrics({ prefix: 'im_', defaultMetrics: false });
    ours.requests.inc({ model: 'a', version: '1', outcome: 'ok' });
    ours.stageDuration.observe({ stage: 'inference' }, 0.001);
    ours.setWorkerState('w1', 'healthy');
    expect(check((await ours.exposition()).body)).toEqual({ status: 0, out: '' });

    // prom-client names three gauges `nodejs_active_*_total`, which promtool's linter flags (exit 3);
    // a parse error would exit 1 with "error while linting".
    const all = check((await createMetrics({ prefix: 'im_' }).exposition()).body);
    expect(all.out).not.toMatch(/error while linting/);
    for (const line of all.out.split('\n').filter(Boolean)) expect(line).toMatch(/^im_nodejs_active_\w+_total non-counter metrics/);
    expect([0, 3]).toContain(all.status);
  });

  it('observes the stage spans of a finished trace, once per stage with their time summed', async () => {
    let now = 0;
    const m = createMetrics({ defaultMetrics: false });
    const trace = new Tracer({ clock: () => now }).start('req');
    for (const [name, ms] of [['cache', 1], ['batch-wait', 2], ['inference', 20], ['batch-wait', 3], ['not-a-stage', 5]] as const) {
      const s = trace.span(name);
      now += ms;
      s.end();
    }
    trace.end();
    m.observeStages(trace.toJSON());
    const { samples } = parseExposition((await m.exposition()).body);
    expect(value(samples, 'infermesh_stage_duration_seconds_count', { stage: 'cache' })).toBe(1);
    expect(value(samples, 'infermesh_stage_duration_seconds_sum', { stage: 'inference' })).toBeCloseTo(0.02, 9);
    expect(value(samples, 'infermesh_stage_duration_seconds_count', { stage: 'batch-wait' })).toBe(1);
    expect(value(samples, 'infermesh_stage_duration_seconds_sum', { stage: 'batch-wait' })).toBeCloseTo(0.005, 9);
    expect(samples.some((s) => s.labels['stage'] === 'not-a-stage')).toBe(false);
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
