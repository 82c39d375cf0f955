import { existsSync } from 'node:fs';
import type { Cluster } from '@infermesh/launcher';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from './fixtures.js';
import { mlpInput } from './references.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  // Visible in the test output: CI installs the Debian package `chromium` so this test runs there.
  process.stderr.write(`coordinator dashboard browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
}

let cluster: Cluster;
let seed = 1000;

beforeAll(async () => {
  // Every request traced: these tests read requests' traces by id (the default samples 1 %).
  cluster = await demoCluster({ workers: 2, workerArgs: ['--metrics-port', '0'], env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on' } });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

/** A fresh MLP request (a new seed each call, so the cache misses) or a repeat of `withSeed`. */
const mlpRequest = (withSeed = ++seed) => ({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, withSeed) }] });
const invalidRequest = () => ({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 63], data: mlpInput(1, 1).slice(0, 63) }] });

interface SpanJson { name: string; startMs: number; durationMs: number | null; parentSpanId: string | null; spanId: string; remote: boolean }
interface TraceJson { traceId: string; rootSpanId: string; parentSpanId: string | null; name: string; startMs: number; durationMs: number | null; spans: SpanJson[] }

/**
 * Strict reading of the Prometheus text format: every sample line, by series (`name{labels}`).
 * prom-client writes NaN as `Nan`, which Prometheus's Go float parser accepts too.
 */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|[Nn]a[Nn]|[+-]Inf)( -?\d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = sample.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

async function scrape(url: string): Promise<{ text: string; samples: Map<string, number> }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  return { text, samples: parseExposition(text) };
}

const value = (samples: Map<string, number>, series: string): number => samples.get(series) ?? 0;

describe('request traces', () => {
  it('records the stages of a request in order, inside its end-to-end time, under the id of its response headers', async () => {
    const res = await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest() });
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-request-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const stored = await http(cluster, `/v2/traces/${traceId}`);
    expect(stored.status).toBe(200);
    expect(stored.body.traceId).toBe(traceId);
    const trace: TraceJson = stored.body.traces[0];
    expect(trace.durationMs).not.toBeNull();
    const [root, ...stages] = trace.spans;
    expect(root!.name).toBe('POST /v2/models/:name/infer');
    expect(stages.map((s) => s.name)).toEqual(['admission', 'cache', 'batch-wait', 'transport', 'preprocess', 'inference', 'postprocess']);
    const end = trace.startMs + trace.durationMs!;
    for (const span of stages) {
      expect(span.durationMs, span.name).not.toBeNull();
      expect(span.durationMs!, span.name).toBeGreaterThanOrEqual(0);
      expect(span.startMs, span.name).toBeGreaterThanOrEqual(trace.startMs);
      expect(span.startMs + span.durationMs!, span.name).toBeLessThanOrEqual(end + 0.001);
    }
    // The worker's spans hang below the transport span, within it.
    const transport = stages.find((s) => s.name === 'transport')!;
    for (const name of ['preprocess', 'inference', 'postprocess']) {
      const span = stages.find((s) => s.name === name)!;
      expect(span.remote).toBe(true);
      expect(span.parentSpanId).toBe(transport.spanId);
      expect(span.startMs).toBeGreaterThanOrEqual(transport.startMs);
      expect(span.startMs + span.durationMs!).toBeLessThanOrEqual(transport.startMs + transport.durationMs! + 0.001);
    }
  });

  it('records a cache hit without a trip to a worker', async () => {
    const s = ++seed;
    expect((await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(s) })).status).toBe(200);
    const hit = await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(s) });
    expect(hit.headers.get('x-infermesh-cache')).toBe('hit');
    const trace: TraceJson = (await http(cluster, `/v2/traces/${hit.headers.get('x-request-id')}`)).body.traces[0];
    expect(trace.spans.slice(1).map((sp) => sp.name)).toEqual(['admission', 'cache']);
  });

  it('continues an incoming traceparent (same trace id, the caller span as parent)', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const res = await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(), headers: { traceparent: `00-${traceId}-${parent}-01` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(traceId);
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const stored = await http(cluster, `/v2/traces/${traceId}`);
    expect(stored.status).toBe(200);
    const trace: TraceJson = stored.body.traces.at(-1);
    expect(trace.parentSpanId).toBe(parent);
    expect(trace.spans.map((s) => s.name)).toContain('inference');
  });

  it('traces refused requests too, and answers 400 for a malformed id and 404 for an unknown one', async () => {
    const bad = await http(cluster, '/v2/models/mlp/infer', { json: invalidRequest() });
    expect(bad.status).toBe(400);
    expect((await http(cluster, `/v2/traces/${bad.headers.get('x-request-id')}`)).status).toBe(200);
    expect(await http(cluster, '/v2/traces/not-a-trace')).toMatchObject({ status: 400, body: { code: 'IM_BAD_REQUEST' } });
    expect(await http(cluster, `/v2/traces/${'0'.repeat(31)}1`)).toMatchObject({ status: 404, body: { code: 'IM_NOT_FOUND' } });
  });
});

describe('GET /metrics', () => {
  it('counts requests by outcome, cache hits and misses, batches, and exposes worker state', async () => {
    const metricsUrl = `${cluster.url}/metrics`;
    const ok = 'infermesh_requests_total{model="mlp",version="1",outcome="ok"}';
    const invalid = 'infermesh_requests_total{model="mlp",version="1",outcome="IM_INVALID_INPUT"}';
    const hits = 'infermesh_cache_hits_total{model="mlp"}';
    const misses = 'infermesh_cache_misses_total{model="mlp"}';
    const batches = 'infermesh_batch_size_count{model="mlp"}';
    const before = (await scrape(metricsUrl)).samples;

    // 5 distinct requests (misses), then 3 repeats of the first one (hits), then 2 invalid ones.
    const first = ++seed;
    for (let i = 0; i < 5; i++) expect((await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(i === 0 ? first : ++seed) })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(first) })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await http(cluster, '/v2/models/mlp/infer', { json: invalidRequest() })).status).toBe(400);

    const after = (await scrape(metricsUrl)).samples;
    expect(value(after, ok) - value(before, ok)).toBe(8);
    expect(value(after, invalid) - value(before, invalid)).toBe(2);
    expect(value(after, hits) - value(before, hits)).toBe(3);
    expect(value(after, misses) - value(before, misses)).toBe(5);
    expect(value(after, batches) - value(before, batches)).toBe(5);
    expect(value(after, 'infermesh_request_duration_seconds_count{model="mlp",version="1"}')
      - value(before, 'infermesh_request_duration_seconds_count{model="mlp",version="1"}')).toBe(10);
    expect(value(after, 'infermesh_stage_duration_seconds_count{model="mlp",version="1",stage="inference"}')).toBeGreaterThanOrEqual(5);
    expect(after.has('infermesh_queue_depth{model="mlp"}')).toBe(true);
    expect(value(after, 'infermesh_in_flight_requests')).toBe(0);
    const healthy = [...after].filter(([series, v]) => series.startsWith('infermesh_worker_state{') && series.includes('state="healthy"') && v === 1);
    expect(healthy).toHaveLength(2);
    expect([...after.keys()].filter((k) => k.startsWith('infermesh_worker_in_flight{'))).toHaveLength(2);
    expect(after.has('infermesh_process_cpu_user_seconds_total')).toBe(true);
  });

  it('is served by each worker started with --metrics-port, counting its batches and items', async () => {
    let total = 0;
    for (const worker of cluster.workers) {
      const line = worker.output.map((l) => { try { return JSON.parse(l) as { msg?: string; port?: number }; } catch { return undefined; } })
        .find((l) => l?.msg === 'worker metrics listening');
      expect(line?.port).toBeGreaterThan(0);
      const { samples } = await scrape(`http://127.0.0.1:${line!.port}/metrics`);
      total += value(samples, 'infermesh_worker_batch_items_total{model="mlp",version="1",outcome="ok"}');
      expect(value(samples, 'infermesh_worker_batch_size_count{model="mlp",version="1"}')).toBeLessThanOrEqual(value(samples, 'infermesh_worker_batch_size_sum{model="mlp",version="1"}'));
    }
    // Every cache miss so far was computed by some worker.
    expect(total).toBeGreaterThanOrEqual(5);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('the coordinator dashboard in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
        '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('loads, shows the workers of the cluster, and its figures move when traffic flows', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${cluster.url}/dashboard`);
    await page.waitForFunction("document.querySelectorAll('#workers tr').length === 2", undefined, { timeout: 15_000 });
    const ids = await page.$$eval('#workers tr', (trs) => trs.map((tr) => tr.querySelector('td')?.textContent ?? ''));
    const status = (await http(cluster, '/v2/status')).body as { workers: Array<{ workerId: string }> };
    expect(ids.sort()).toEqual(status.workers.map((w) => w.workerId).sort());

    const totals = async () => ((await http(cluster, '/v2/dashboard/data')).body as { totals: { requests: number } }).totals.requests;
    const readServed = () => page.$$eval('#workers tr', (trs) => trs.map((tr) => tr.querySelectorAll('td')[5]?.textContent ?? '').join(','));
    const servedBefore = await readServed();
    const requestsBefore = await totals();
    // Traffic for a few seconds while the page polls (every second): its per-second figures change.
    let sent = 0;
    let stop = false;
    const traffic = (async () => {
      const until = Date.now() + 20_000;
      while (!stop && Date.now() < until) {
        const answers = await Promise.all(Array.from({ length: 4 }, () => http(cluster, '/v2/models/mlp/infer', { json: mlpRequest() })));
        sent += answers.filter((a) => a.status === 200).length;
      }
    })();
    try {
      await page.waitForFunction("(() => { const t = document.getElementById('throughput').textContent; return /^\\d+$/.test(t) && Number(t) > 0; })()", undefined, { timeout: 15_000 });
      await page.waitForFunction(
        `[...document.querySelectorAll('#workers tr')].map((tr) => tr.querySelectorAll('td')[5]?.textContent ?? '').join(',') !== ${JSON.stringify(servedBefore)}`,
        undefined,
        { timeout: 15_000 },
      );
      // The tiles show the last second: read the p99 while traffic flows (after it stops, a poll shows '–').
      await page.waitForFunction("/^\\d+\\.\\d\\d$/.test(document.getElementById('p99').textContent)", undefined, { timeout: 15_000 });
    } finally {
      stop = true;
      await traffic;
    }
    expect((await totals()) - requestsBefore).toBe(sent);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
