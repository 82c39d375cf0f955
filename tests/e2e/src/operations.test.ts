import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_ERRORS } from '@infermesh/contracts';
import type { Cluster } from '@infermesh/launcher';
import { parser } from '@prometheus-io/lezer-promql';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from './fixtures.js';
import { mlpInput } from './references.js';

/**
 * What an operator runs on: a coordinator with API keys and two workers with --metrics-port, traffic
 * with errors, then Prometheus's own tools over the expositions, the Grafana dashboard's queries and
 * the alert rules, and the built-in dashboard in a browser.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = '/usr/bin/chromium';
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
// Both are Debian packages in tools/provision/apt-packages.txt: CI has them, so these tests never skip there.
if (!PROMTOOL) throw new Error('promtool not found: apt-get install -y prometheus');
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);

const KEY = 'operator-key-0123456789';
const auth = { authorization: `Bearer ${KEY}` };
let cluster: Cluster;
let seed = 5000;

beforeAll(async () => {
  cluster = await demoCluster({ workers: 2, workerArgs: ['--metrics-port', '0'], coordinatorArgs: ['--api-key', KEY] });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

const ok = (withSeed = ++seed) => http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, withSeed) }] }, headers: auth });
const invalid = () => http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 63], data: mlpInput(1, 1).slice(0, 63) }] }, headers: auth });
const unknownModel = () => http(cluster, '/v2/models/no-such-model/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1], data: [0] }] }, headers: auth });

/** Mixed traffic: fresh requests, cache hits, invalid inputs and an unknown model. Returns the errors sent, by code. */
async function traffic(rounds: number): Promise<Record<string, number>> {
  const sent: Record<string, number> = { IM_INVALID_INPUT: 0, IM_MODEL_NOT_FOUND: 0 };
  for (let i = 0; i < rounds; i++) {
    const repeat = ++seed;
    const answers = await Promise.all([ok(repeat), ok(), ok(), invalid(), ...(i % 2 === 0 ? [unknownModel()] : [])]);
    expect((await ok(repeat)).headers.get('x-infermesh-cache')).toBe('hit');
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 400, ...(i % 2 === 0 ? [404] : [])]);
    sent.IM_INVALID_INPUT! += 1;
    if (i % 2 === 0) sent.IM_MODEL_NOT_FOUND! += 1;
  }
  return sent;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  return res.text();
}

function workerMetricsUrls(): string[] {
  return cluster.workers.map((worker) => {
    const line = worker.output.map((l) => { try { return JSON.parse(l) as { msg?: string; port?: number }; } catch { return undefined; } })
      .find((l) => l?.msg === 'worker metrics listening');
    expect(line?.port).toBeGreaterThan(0);
    return `http://127.0.0.1:${line!.port}/metrics`;
  });
}

/** Every series of an exposition, as metric name → its label names and the values each label takes. */
function seriesOf(text: string): Map<string, Map<string, Set<string>>> {
  const out = new Map<string, Map<string, Set<string>>>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    let labels = out.get(m[1]!);
    if (!labels) out.set(m[1]!, (labels = new Map()));
    for (const [, name, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      let values = labels.get(name!);
      if (!values) labels.set(name!, (values = new Set()));
      values.add(value!);
    }
  }
  return out;
}

interface Selector { metric: string; matchers: Array<{ label: string; op: string; value: string }> }

/** A PromQL expression's vector selectors and every label name it uses (matchers, by/without, on/ignoring). Throws on a syntax error. */
function readPromql(raw: string): { selectors: Selector[]; labels: Set<string> } {
  // Grafana's interval variables are not PromQL; any duration stands in for them.
  const expr = raw.replace(/\$__(rate_interval|interval|range)/g, '5m');
  const tree = parser.parse(expr);
  const selectors: Selector[] = [];
  const labels = new Set<string>();
  const text = (n: { from: number; to: number }) => expr.slice(n.from, n.to);
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`PromQL syntax error at ${node.from} in: ${raw}`);
      if (node.name === 'LabelName') labels.add(text(node));
      if (node.name === 'VectorSelector') {
        const metric = node.node.getChild('Identifier');
        const matchers = node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
        selectors.push({
          metric: metric ? text(metric) : '',
          matchers: matchers.map((m) => ({
            label: text(m.getChild('LabelName')!),
            op: text(m.getChild('MatchOp')!),
            value: JSON.parse(text(m.getChild('StringLiteral')!)) as string,
          })),
        });
      }
    },
  });
  return { selectors, labels };
}

/** The recording rules' names with the labels their results carry (the `by (...)` of their aggregation). */
function recordedSeries(): Map<string, Set<string>> {
  const rules = readFileSync(join(ROOT, 'deploy/prometheus/infermesh-rules.yml'), 'utf8');
  const out = new Map<string, Set<string>>();
  for (const [, name, expr] of rules.matchAll(/- record: (\S+)\n\s+expr: (.+)/g)) {
    // Each is one aggregation `... by (labels) ...`: its result carries those labels (but `le`, consumed by histogram_quantile).
    const by = /\bby \(([^)]*)\)/.exec(expr!)?.[1] ?? '';
    out.set(name!, new Set(by.split(',').map((l) => l.trim()).filter((l) => l !== '' && l !== 'le')));
  }
  return out;
}

/** Checks an expression against what really exists; returns the problems found. */
function problems(expr: string, live: Map<string, Map<string, Set<string>>>, recorded: Map<string, Set<string>>): string[] {
  // Labels Prometheus itself adds to every scraped series, and the one series it makes per target.
  const TARGET = new Set(['job', 'instance']);
  const found: string[] = [];
  const { selectors, labels } = readPromql(expr);
  const known = new Set<string>(TARGET);
  for (const { metric, matchers } of selectors) {
    const series = live.get(metric);
    const names = metric === 'up' ? new Set<string>() : series ? new Set(series.keys()) : recorded.get(metric);
    if (!names) {
      found.push(`${metric}: no such metric in the expositions or recording rules`);
      continue;
    }
    for (const n of names) known.add(n);
    if (metric.endsWith('_bucket')) known.add('le');
    for (const m of matchers) {
      if (!TARGET.has(m.label) && !names.has(m.label)) found.push(`${metric}{${m.label}}: no such label`);
      // A literal equality must name a value that occurs: it catches `state="Healthy"` and friends.
      if (m.op === '=' && series && !TARGET.has(m.label) && !series.get(m.label)?.has(m.value)) found.push(`${metric}{${m.label}="${m.value}"}: no such value`);
    }
  }
  for (const l of labels) if (!known.has(l)) found.push(`label ${l} is on none of the metrics of: ${expr}`);
  return found;
}

describe('metrics an operator scrapes', () => {
  it('guards /metrics with the API keys (no --metrics-open given)', async () => {
    const res = await fetch(`${cluster.url}/metrics`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'IM_UNAUTHORIZED' });
    expect((await fetch(`${cluster.url}/metrics`, { headers: auth })).status).toBe(200);
  });

  it('pass `promtool check metrics` (exit 0, no lint notes) on the coordinator and on every worker after traffic with errors', async () => {
    await traffic(3);
    const expositions = [await scrape(`${cluster.url}/metrics`, auth), ...(await Promise.all(workerMetricsUrls().map((u) => scrape(u))))];
    expect(expositions).toHaveLength(3);
    for (const text of expositions) {
      const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: r.status, out: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, out: '' });
    }
    const coordinator = seriesOf(expositions[0]!);
    // Stages are timed per model and version; queue wait and compute have histograms of their own.
    expect([...coordinator.get('infermesh_stage_duration_seconds_count')!.keys()].sort()).toEqual(['model', 'stage', 'version']);
    expect(coordinator.get('infermesh_queue_wait_seconds_count')?.get('model')?.has('mlp')).toBe(true);
    expect(coordinator.get('infermesh_compute_seconds_count')?.get('model')?.has('mlp')).toBe(true);
    expect(coordinator.get('infermesh_requests_total')?.get('outcome')).toEqual(new Set(['ok', 'IM_INVALID_INPUT', 'IM_MODEL_NOT_FOUND']));
    expect(coordinator.get('infermesh_model_healthy_workers')?.get('model')?.has('mlp')).toBe(true);
    // A worker counts batches and items under names of its own, never the coordinator's requests_total.
    for (const text of expositions.slice(1)) {
      const worker = seriesOf(text);
      expect(worker.has('infermesh_requests_total')).toBe(false);
      expect(worker.has('infermesh_worker_batches_total')).toBe(true);
      expect(worker.has('infermesh_worker_batch_items_total')).toBe(true);
    }
  });
});

describe('the Grafana dashboard and the alert rules', () => {
  let live: Map<string, Map<string, Set<string>>>;
  const recorded = recordedSeries();

  beforeAll(async () => {
    await traffic(2);
    const texts = [await scrape(`${cluster.url}/metrics`, auth), ...(await Promise.all(workerMetricsUrls().map((u) => scrape(u))))];
    live = seriesOf(texts.join('\n'));
  });

  it('deploy/grafana/infermesh.json queries only metrics, labels and label values the live expositions have', () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/infermesh.json'), 'utf8')) as {
      uid: string; panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>; templating: { list: Array<{ query: unknown }> };
    };
    expect(dashboard.uid).toBe('infermesh');
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    for (const v of dashboard.templating.list) {
      const q = typeof v.query === 'object' && v.query !== null ? (v.query as { query: string }).query : '';
      const m = /^label_values\((.+), (\w+)\)$/.exec(q);
      if (m) exprs.push(`sum by (${m[2]}) (${m[1]})`);
    }
    expect(exprs.length).toBeGreaterThan(25);
    const found = exprs.flatMap((e) => problems(e, live, recorded));
    expect(found).toEqual([]);
    // The check can fail: a renamed metric, a wrong label or value, or broken PromQL is caught.
    expect(problems('rate(infermesh_request_total[5m])', live, recorded)).toHaveLength(1);
    expect(problems('sum by (modle) (infermesh_queue_depth)', live, recorded)).toHaveLength(1);
    expect(problems('infermesh_worker_state{state="Healthy"}', live, recorded)).toHaveLength(1);
    expect(() => problems('sum(rate(infermesh_requests_total[5m])', live, recorded)).toThrow(/syntax error/);
    // Every panel the issue asks for is there.
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const want of ['request rate', 'errors by code', 'p50 / p99', 'queue wait vs compute', 'batch size', 'cache hit rate', 'in-flight', 'ejections', 'health']) {
      expect(titles).toContain(want);
    }
  });

  it('deploy/prometheus/infermesh-rules.yml passes `promtool check rules` and its unit tests, and names only live metrics', () => {
    const rules = join(ROOT, 'deploy/prometheus/infermesh-rules.yml');
    const check = spawnSync(PROMTOOL, ['check', 'rules', rules], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    const test = spawnSync(PROMTOOL, ['test', 'rules', join(ROOT, 'deploy/prometheus/infermesh-rules.test.yml')], { encoding: 'utf8' });
    expect(test.status, `${test.stdout}${test.stderr}`).toBe(0);
    expect(test.stdout).toContain('SUCCESS');

    const text = readFileSync(rules, 'utf8');
    const exprs = [...text.matchAll(/expr: (?:\|\n((?:\s{10}.+\n)+)|(.+))/g)].map((m) => (m[1] ?? m[2]!).trim());
    expect(exprs).toHaveLength(9);
    expect(exprs.flatMap((e) => problems(e, live, recorded))).toEqual([]);
    const alerts = [...text.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts).toEqual(['InfermeshErrorRatioHigh', 'InfermeshLatencyP99OverSLO', 'InfermeshNoHealthyWorker', 'InfermeshQueueSaturated', 'InfermeshCoordinatorDown', 'InfermeshCoordinatorAbsent']);
    // The server-error codes of the rules are exactly the 5xx codes of the contracts' table.
    const listed = /outcome=~"([^"]+)"/.exec(text)![1]!.split('|').sort();
    expect(listed).toEqual(Object.entries(API_ERRORS).filter(([, s]) => s.http >= 500).map(([code]) => code).sort());
  });
});

describe('the built-in dashboard under API keys, in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('asks for the key, then shows the errors by code, the model rows and the totals of its data while errors are injected', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1100 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const data = async () => {
      const res = await http(cluster, '/v2/dashboard/data', { headers: auth });
      expect(res.status).toBe(200);
      return res.body as { generatedAtMs: number; totals: { requests: number; failed: number }; errors: Array<{ code: string; recent: number; window: number }>; models: Array<{ model: string; requests: number; failed: number }>; workers: unknown[] };
    };
    // The page is open; its data is not: the same keys as the API, sent by the page as a Bearer header.
    expect((await http(cluster, '/dashboard')).status).toBe(200);
    expect((await http(cluster, '/v2/dashboard/data')).status).toBe(401);
    await page.goto(`${cluster.url}/dashboard`);
    await page.waitForSelector('#key-form:not([hidden])', { timeout: 15_000 });
    expect(await page.$eval('#status', (e) => e.textContent)).toBe('disconnected: API key needed');
    await page.fill('#api-key', 'a-wrong-key-000000');
    await page.click('#key-form button');
    await page.waitForFunction("document.getElementById('status').textContent === 'disconnected: API key refused'", undefined, { timeout: 15_000 });
    await page.fill('#api-key', KEY);
    await page.click('#key-form button');
    await page.waitForFunction("document.querySelectorAll('#workers tr[data-key]').length === 2", undefined, { timeout: 15_000 });

    const before = await data();
    const errorsBefore = Object.fromEntries(before.errors.map((e) => [e.code, e.window]));
    // Errors are injected while the page polls: its error rate moves off zero.
    let sent: Record<string, number> = {};
    let stop = false;
    const load = (async () => {
      const total: Record<string, number> = {};
      while (!stop) for (const [code, n] of Object.entries(await traffic(1))) total[code] = (total[code] ?? 0) + n;
      sent = total;
    })();
    try {
      await page.waitForFunction("/^[1-9]/.test(document.getElementById('error-rate').textContent)", undefined, { timeout: 20_000 });
      await page.waitForFunction("document.querySelectorAll('#errors tr[data-key]').length === 2", undefined, { timeout: 20_000 });
    } finally {
      stop = true;
      await load;
    }
    // Once the last second of traffic is complete, the page's next poll and our read see the same window.
    await new Promise((r) => setTimeout(r, 1_200));
    const after = await data();
    // A table's rows as the page shows them, cell texts (one expression, for the wait and the read).
    const rows = `((id) => [...document.querySelectorAll('#' + id + ' tr[data-key]')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)))`;
    const read = () => page.evaluate(`(() => {
      const rows = ${rows};
      return { errors: rows('errors'), models: rows('models'), total: document.getElementById('total').textContent, failed: document.getElementById('total-failed').textContent,
        axis: [...document.querySelectorAll('#axis-throughput span')].map((s) => s.textContent) };
    })()`) as Promise<{ errors: string[][]; models: string[][]; total: string; failed: string; axis: string[] }>;
    // The page polls every second: wait for the poll that shows the figures we read. The total alone is not
    // enough: a poll in the second the traffic ended has the final total but not yet that (incomplete) second
    // in its error window.
    const expectedErrors = JSON.stringify(after.errors.map((e) => [e.code, String(e.recent), String(e.window)]));
    await page.waitForFunction(`document.getElementById('total').textContent === ${JSON.stringify(String(after.totals.requests))}
      && JSON.stringify(${rows}('errors')) === ${JSON.stringify(expectedErrors)}`,
      undefined, { timeout: 10_000 }).catch(() => undefined);
    const shown = await read();

    // The injected errors are counted, by code, exactly.
    for (const [code, n] of Object.entries(sent)) expect(after.errors.find((e) => e.code === code)?.window, code).toBe((errorsBefore[code] ?? 0) + n);
    // And the page shows the data's numbers.
    expect(shown.errors).toEqual(after.errors.map((e) => [e.code, String(e.recent), String(e.window)]));
    expect(shown.models.map((r) => r.slice(0, 3))).toEqual(after.models.map((m) => [m.model, String(m.requests), String(m.failed)]));
    expect(shown.models.map((r) => r[0])).toEqual(expect.arrayContaining(['mlp', 'unknown']));
    expect(shown.total).toBe(String(after.totals.requests));
    expect(shown.failed).toBe(String(after.totals.failed));
    expect(shown.axis).toHaveLength(5);
    // The requests the page counted are what the API says it answered.
    expect(after.totals.failed - before.totals.failed).toBe(Object.values(sent).reduce((a, b) => a + b, 0));
    expect(pageErrors).toEqual([]);

    const screenshot = process.env['INFERMESH_DASHBOARD_SCREENSHOT'];
    if (screenshot) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    await context.close();
  }, 90_000);
});
