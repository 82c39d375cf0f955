import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardDataSchema, type DashboardData } from './dashboard-data.js';
import { dashboardHtml } from './dashboard-html.js';
import { DashboardSampler } from './dashboard-sampler.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  // Visible in the test output: CI installs the Debian package `chromium` so this test runs there.
  process.stderr.write(`dashboard browser test skipped: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
}

describe('dashboardHtml', () => {
  it('is one self-contained page with an escaped title and the data URL in its script', () => {
    const html = dashboardHtml({ title: '<script>x</script>', dataUrl: '/d</script>', pollMs: 500 });
    expect(html).toContain('<title>&lt;script&gt;x&lt;/script&gt;</title>');
    expect(html).toContain('"dataUrl":"/d\\u003c/script>"');
    expect(html).not.toMatch(/<(link|img)\b|src=/);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('dashboard page in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let base = '';
  let dataRequests = 0;
  const answers: DashboardData[] = [];
  const API_KEY = 'k-123456789';

  beforeAll(async () => {
    // A real sampler fed synthetic traffic: every poll advances the clock one second, during which
    // a different number of requests arrives, so each poll shows new figures.
    let now = 1_700_000_000_000;
    const sampler = new DashboardSampler({ windowSeconds: 30, clock: () => now });
    sampler.setWorkers([
      { id: 'w1', address: '127.0.0.1:7001', models: ['sentiment:1'], state: 'healthy', inFlight: 2, served: 10, failed: 0 },
      { id: '<img src=x onerror=alert(1)>', address: null, models: ['sentiment:1', 'digits:2'], state: 'draining', inFlight: 0, served: 3, failed: 1 },
    ]);
    const traffic = (second: number) => {
      const n = 20 + ((second * 37) % 50);
      for (let i = 0; i < n; i++) {
        const outcome = i % 17 === 0 ? 'IM_INVALID_INPUT' : i % 23 === 0 ? '<b>IM_X</b>' : 'ok';
        sampler.recordRequest({ model: i % 3 === 0 ? 'digits' : 'sentiment', outcome, latencyMs: 1 + ((i * 7) % 13), queueMs: 0.5, computeMs: 2 });
      }
      for (let i = 0; i < n / 4; i++) sampler.recordBatch(1 << (i % 7));
      for (let i = 0; i < n; i++) sampler.recordCache('sentiment', i % 3 === 0);
    };
    const page = dashboardHtml({ title: 'test mesh', pollMs: 150 });
    server = createServer((req, res) => {
      if (req.url === '/dashboard') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      if (req.url === '/v2/dashboard/data') {
        if (req.headers.authorization !== `Bearer ${API_KEY}`) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"key","code":"IM_UNAUTHORIZED"}');
        dataRequests++;
        traffic(dataRequests);
        now += 1000;
        const data = DashboardDataSchema.parse(sampler.snapshot());
        answers.push(data);
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(data));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // playwright gives the browser a fresh temporary profile of its own (it refuses --user-data-dir).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
        '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('asks for the API key its data call needs, then lists the workers, and its figures move as traffic flows', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); void d.dismiss(); });
    await page.goto(`${base}/dashboard`);
    expect(await page.title()).toBe('test mesh');
    // Without a key the data call answers 401: the page says so and shows the key form, not a blank "disconnected".
    await page.waitForSelector('#key-form:not([hidden])', { timeout: 10_000 });
    expect(await page.$eval('#status', (e) => e.textContent)).toBe('disconnected: API key needed');
    expect(dataRequests).toBe(0);
    await page.fill('#api-key', API_KEY);
    await page.click('#key-form button');

    // String predicates run in the page; this package's tsconfig has no DOM lib.
    await page.waitForFunction("document.querySelectorAll('#workers tr').length === 2", undefined, { timeout: 10_000 });
    const rows = await page.$$eval('#workers tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows[0]).toEqual(['w1', '127.0.0.1:7001', 'sentiment:1', 'healthy', '2', '10', '0']);
    expect(rows[1]![0]).toBe('<img src=x onerror=alert(1)>');
    expect(rows[1]![1]).toBe('–');

    const read = () => page.$eval('#throughput', (e) => e.textContent ?? '');
    await page.waitForFunction("/^\\d+$/.test(document.getElementById('throughput').textContent)", undefined, { timeout: 10_000 });
    const first = await read();
    await page.waitForFunction(`document.getElementById('throughput').textContent !== ${JSON.stringify(first)}`, undefined, { timeout: 10_000 });
    expect(dataRequests).toBeGreaterThanOrEqual(2);
    expect(await read()).not.toBe(first);

    expect(await page.$eval('#p99', (e) => e.textContent)).toMatch(/^\d+\.\d\d$/);
    expect(await page.$eval('#hit-rate', (e) => e.textContent)).toMatch(/^\d+\.\d%$/);
    expect(await page.$eval('#chart-throughput path', (e) => e.getAttribute('d'))).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)+$/);
    expect(await page.$$eval('#chart-latency path', (ps) => ps.length)).toBe(2);
    expect(await page.$$eval('#chart-batches rect', (rs) => rs.filter((r) => Number(r.getAttribute('height')) > 0).length)).toBeGreaterThan(0);
    expect(await page.$eval('#status', (e) => e.className)).toBe('');
    expect(await page.$eval('#key-form', (e) => e.hasAttribute('hidden'))).toBe(true);

    // What the page shows is what the last answer said: errors by code, model rows, the time axis.
    const shown = await page.evaluate(`(() => {
      const rows = (id) => [...document.querySelectorAll('#' + id + ' tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
      return { status: document.getElementById('status').textContent, errors: rows('errors'), models: rows('models'),
        axis: [...document.querySelectorAll('#axis-throughput span')].map((s) => s.textContent),
        failed: document.getElementById('total-failed').textContent };
    })()`) as { status: string; errors: string[][]; models: string[][]; axis: string[]; failed: string };
    // The page polls on; the answer it shows is the one its status names (the test clock moves 1 s per answer).
    const clocks = await page.evaluate(`${JSON.stringify(answers.map((a) => a.generatedAtMs))}.map((t) => new Date(t).toLocaleTimeString([], { hour12: false }))`) as string[];
    const data = answers[clocks.findIndex((c) => shown.status === `updated ${c}`)]!;
    expect(data).toBeDefined();
    expect(shown.errors).toEqual(data.errors.map((e) => [e.code, String(e.recent), String(e.window)]));
    expect(shown.errors.map((r) => r[0])).toContain('<b>IM_X</b>');
    expect(shown.models.map((r) => r.slice(0, 3))).toEqual(data.models.map((m) => [m.model, String(m.requests), String(m.failed)]));
    expect(shown.failed).toBe(String(data.totals.failed));
    expect(shown.axis).toHaveLength(5);
    expect(shown.axis[4]).toBe(await page.evaluate(`new Date(${data.series.at(-1)!.t}).toLocaleTimeString([], { hour12: false })`));
    expect(await page.$$eval('#chart-split path', (ps) => ps.length)).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
