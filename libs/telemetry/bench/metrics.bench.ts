/**
 * Cost of the metric calls a coordinator makes per request, against prom-client's own metrics in the same
 * run: one `requests_total` increase and seven histogram observations (request duration, four stages,
 * queue wait, compute), the labels written out as the coordinator writes them. Prints ns per call and per
 * request and the ratio (ours ÷ prom-client's), then one JSON line.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from '../src/labelled-metrics.js';
import { LATENCY_BUCKETS } from '../src/metrics.js';

const ROUNDS = 7;
const N = 200_000;
const STAGES = ['admission', 'batch-wait', 'transport', 'inference'] as const;

function nsPer(fn: (i: number) => void): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / N);
  }
  return best;
}

interface MetricSet {
  requests: { inc(labels: { model: string; version: string; outcome: string }): void };
  duration: { observe(labels: { model: string; version: string }, v: number): void };
  stage: { observe(labels: { model: string; version: string; stage: string }, v: number): void };
}

function metricSet(kind: 'prom-client' | 'labelled'): MetricSet {
  const registers = [new Registry()];
  const buckets = [...LATENCY_BUCKETS];
  const mv = ['model', 'version'] as const;
  const mvs = ['model', 'version', 'stage'] as const;
  const mvo = ['model', 'version', 'outcome'] as const;
  return kind === 'prom-client'
    ? {
      requests: new Counter({ name: 'r_total', help: 'r', labelNames: mvo, registers }),
      duration: new Histogram({ name: 'd_seconds', help: 'd', labelNames: mv, buckets, registers }),
      stage: new Histogram({ name: 's_seconds', help: 's', labelNames: mvs, buckets, registers }),
    }
    : {
      requests: new LabelledCounter({ name: 'r_total', help: 'r', labelNames: mvo, registers }),
      duration: new LabelledHistogram({ name: 'd_seconds', help: 'd', labelNames: mv, buckets, registers }),
      stage: new LabelledHistogram({ name: 's_seconds', help: 's', labelNames: mvs, buckets, registers }),
    };
}

/** What `RequestTelemetry.finish` observes for one answered request (two models, so lookups are not all one series). */
function perRequest(m: MetricSet, i: number): void {
  const model = i & 1 ? 'mlp' : 'resnet';
  const v = 0.0002 + (i % 13) * 0.0007;
  m.requests.inc({ model, version: '1', outcome: 'ok' });
  m.duration.observe({ model, version: '1' }, v);
  for (const stage of STAGES) m.stage.observe({ model, version: '1', stage }, v / 4);
  m.duration.observe({ model, version: '1' }, v / 2);
  m.duration.observe({ model, version: '1' }, v / 3);
}

const figures: Record<string, { promClientNs: number; labelledNs: number; ratio: number }> = {};
const row = (name: string, theirs: number, ours: number): void => {
  figures[name] = { promClientNs: Math.round(theirs), labelledNs: Math.round(ours), ratio: Number((ours / theirs).toFixed(3)) };
  process.stdout.write(`${name.padEnd(38)} prom-client (baseline) ${theirs.toFixed(0).padStart(6)} ns   labelled ${ours.toFixed(0).padStart(5)} ns   ratio ${(ours / theirs).toFixed(3)}\n`);
};
const a = metricSet('prom-client');
const b = metricSet('labelled');
row('histogram observe, 3 labels', nsPer((i) => a.stage.observe({ model: 'mlp', version: '1', stage: STAGES[i & 3]! }, 0.001)), nsPer((i) => b.stage.observe({ model: 'mlp', version: '1', stage: STAGES[i & 3]! }, 0.001)));
row('counter inc, 3 labels', nsPer(() => a.requests.inc({ model: 'mlp', version: '1', outcome: 'ok' })), nsPer(() => b.requests.inc({ model: 'mlp', version: '1', outcome: 'ok' })));
row('one request (1 inc + 7 observations)', nsPer((i) => perRequest(a, i)), nsPer((i) => perRequest(b, i)));
process.stdout.write(`${JSON.stringify({ bench: 'metrics', figures })}\n`);
