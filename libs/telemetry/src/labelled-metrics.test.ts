import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LabelledCounter, LabelledHistogram } from './labelled-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const mvs = ['model', 'version', 'stage'] as const;

/** The same observations into prom-client's own metrics and ours, each in a registry of its own. */
function twins(defaultLabels: Record<string, string> = {}) {
  const theirs = new Registry();
  const ours = new Registry();
  theirs.setDefaultLabels(defaultLabels);
  ours.setDefaultLabels(defaultLabels);
  const h1 = new Histogram({ name: 'x_seconds', help: 'h', labelNames: mvs, buckets: BUCKETS, registers: [theirs] });
  const h2 = new LabelledHistogram({ name: 'x_seconds', help: 'h', labelNames: mvs, buckets: BUCKETS, registers: [ours] });
  const c1 = new Counter({ name: 'x_total', help: 'c', labelNames: ['model', 'outcome'] as const, registers: [theirs] });
  const c2 = new LabelledCounter({ name: 'x_total', help: 'c', labelNames: ['model', 'outcome'] as const, registers: [ours] });
  const observe = (labels: { model: string; version: string; stage: string }, v: number): void => {
    h1.observe(labels, v);
    h2.observe(labels, v);
  };
  const inc = (labels: { model: string; outcome: string }, by?: number): void => {
    c1.inc(labels, by);
    c2.inc(labels, by);
  };
  return { theirs, ours, observe, inc, h2, c2 };
}

function feed(t: ReturnType<typeof twins>): void {
  // On a bound, between bounds, above every bound, zero; two models, three stages.
  for (const v of [0.001, 0.0005, 0.02, 0.5, 3, 0, 0.1]) t.observe({ model: 'mlp', version: '1', stage: 'inference' }, v);
  t.observe({ model: 'mlp', version: '1', stage: 'batch-wait' }, 0.004);
  t.observe({ model: 'resnet', version: '2', stage: 'inference' }, 0.2);
  t.inc({ model: 'mlp', outcome: 'ok' });
  t.inc({ model: 'mlp', outcome: 'ok' }, 5);
  t.inc({ model: 'mlp', outcome: 'IM_OVERLOADED' }, 0);
  t.inc({ model: 'resnet', outcome: 'ok' }, 2.5);
}

describe('LabelledHistogram and LabelledCounter', () => {
  it('expose exactly what prom-client exposes for the same observations', async () => {
    const t = twins({ instance: 'c-1' });
    feed(t);
    expect(await t.ours.metrics()).toBe(await t.theirs.metrics());
    // prom-client's histogram values carry `exemplar: null` (exemplars off); nothing else differs.
    const theirs = (await t.theirs.getMetricsAsJSON()).map((m) => ({ ...m, values: m.values.map((v) => { const { exemplar: _, ...rest } = v as typeof v & { exemplar?: unknown }; return rest; }) }));
    expect(await t.ours.getMetricsAsJSON()).toEqual(theirs);
  });

  it('merge across processes as prom-client merges its own', async () => {
    const a = twins();
    const b = twins();
    feed(a);
    feed(b);
    b.observe({ model: 'mlp', version: '1', stage: 'inference' }, 7);
    const ours = AggregatorRegistry.aggregate([await a.ours.getMetricsAsJSON(), await b.ours.getMetricsAsJSON()]);
    const theirs = AggregatorRegistry.aggregate([await a.theirs.getMetricsAsJSON(), await b.theirs.getMetricsAsJSON()]);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('x_seconds_count{model="mlp",version="1",stage="inference"} 15');
  });

  it('remove one series and reset all, as prom-client does', async () => {
    const t = twins();
    feed(t);
    t.h2.remove({ model: 'mlp', version: '1', stage: 'inference' });
    t.c2.remove({ model: 'mlp', outcome: 'ok' });
    const text = await t.ours.metrics();
    expect(text).not.toContain('stage="inference",le');
    expect(text).not.toMatch(/model="mlp",version="1",stage="inference"/);
    expect(text).toContain('x_seconds_count{model="mlp",version="1",stage="batch-wait"} 1');
    expect(text).not.toContain('x_total{model="mlp",outcome="ok"}');
    expect(text).toContain('x_total{model="resnet",outcome="ok"} 2.5');
    // A removed series starts again from nothing.
    t.h2.observe({ model: 'mlp', version: '1', stage: 'inference' }, 0.5);
    expect(await t.ours.metrics()).toContain('x_seconds_count{model="mlp",version="1",stage="inference"} 1');
    t.ours.resetMetrics();
    expect((await t.h2.get()).values).toEqual([]);
    expect((await t.c2.get()).values).toEqual([]);
  });

  it('refuse a missing label, a non-finite observation and a negative increase', () => {
    const { h2, c2 } = twins();
    expect(() => h2.observe({ model: 'mlp', version: '1' } as never, 1)).toThrow(/label "stage" is missing/);
    expect(() => h2.observe({ model: 'mlp', version: '1', stage: 'x' }, Number.NaN)).toThrow(TypeError);
    expect(() => h2.observe({ model: 'mlp', version: '1', stage: 'x' }, Infinity)).toThrow(TypeError);
    expect(() => c2.inc({ model: 'mlp', outcome: 'ok' }, -1)).toThrow(/finite number ≥ 0/);
    expect(() => c2.inc({ model: 'mlp', outcome: 'ok' }, Number.NaN)).toThrow(TypeError);
  });

  it('a metric without labels has one series', async () => {
    const registry = new Registry();
    const h = new LabelledHistogram({ name: 'y_seconds', help: 'y', labelNames: [], buckets: [1], registers: [registry] });
    h.observe({}, 0.5);
    h.observe({}, 2);
    expect(await registry.metrics()).toContain('y_seconds_bucket{le="1"} 1\ny_seconds_bucket{le="+Inf"} 2\ny_seconds_sum 2.5\ny_seconds_count 2');
  });

  it('two metrics of one name in a registry are refused, as prom-client refuses them', () => {
    const registry = new Registry();
    new LabelledCounter({ name: 'z_total', help: 'z', labelNames: [], registers: [registry] });
    expect(() => new LabelledCounter({ name: 'z_total', help: 'z', labelNames: [], registers: [registry] })).toThrow(/already been registered/);
  });
});
