import { z } from 'zod/v4';
import { parseOptions } from '@infermesh/foundation';

export const DashboardHtmlOptionsSchema = z.strictObject({
  title: z.string().min(1).max(200).default('infermesh'),
  /** The JSON endpoint the page polls (same origin, or CORS-enabled). */
  dataUrl: z.string().min(1).default('/v2/dashboard/data'),
  pollMs: z.int().min(100).max(3_600_000).default(1000),
});
export type DashboardHtmlOptions = z.input<typeof DashboardHtmlOptionsSchema>;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
/** JSON safe inside a <script>: no `</script>`, no `<!--`. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

const CSS = `
:root{--bg:#0f1419;--panel:#182029;--fg:#e6e1cf;--dim:#8a96a3;--a:#59c2ff;--b:#f29668;--ok:#7fd962;--bad:#f07178}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;align-items:baseline;flex-wrap:wrap;gap:1rem;padding:.8rem 1.2rem;border-bottom:1px solid #253340}
h1{font-size:1.1rem;margin:0}#status{color:var(--dim);font-size:.85rem}#status.down{color:var(--bad)}
form input{background:var(--panel);color:var(--fg);border:1px solid #253340;border-radius:4px;padding:.2rem .4rem}
form button{background:var(--a);border:0;border-radius:4px;padding:.25rem .6rem;color:#0f1419}
main{padding:1rem 1.2rem;display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
section{background:var(--panel);border-radius:6px;padding:.8rem 1rem}h2{font-size:.8rem;text-transform:uppercase;color:var(--dim);margin:0 0 .5rem}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:.6rem}.tile b{display:block;font-size:1.5rem;font-variant-numeric:tabular-nums}
.tile span{color:var(--dim);font-size:.75rem}svg{width:100%;height:90px;display:block}
.axis{display:flex;justify-content:space-between;color:var(--dim);font-size:.7rem;font-variant-numeric:tabular-nums}
.wide{grid-column:1/-1}table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #253340}th{color:var(--dim);font-weight:500}
td.num,th.num{text-align:right}.bad{color:var(--bad)}.empty{color:var(--dim)}
.state-healthy{color:var(--ok)}.state-unhealthy,.state-ejected,.state-down{color:var(--bad)}.legend{font-size:.75rem;color:var(--dim)}
.legend i{display:inline-block;width:.8em;height:.2em;vertical-align:middle;margin:0 .3em}`;

/* The page's script: plain ES2020, DOM built with textContent only (ids, models and codes are not trusted HTML). */
const SCRIPT = `
const $ = (id) => document.getElementById(id);
const NS = 'http://www.w3.org/2000/svg';
const KEY = 'infermesh-api-key';
const fmt = (v, d = 1) => v === null || v === undefined ? '–' : Number(v).toFixed(d);
const pct = (n, d) => d > 0 ? (100 * n / d).toFixed(1) + '%' : '–';
const clock = (t) => new Date(t).toLocaleTimeString([], { hour12: false });
const span = (s) => s >= 120 ? Math.round(s / 60) + ' min' : s + ' s';
function svgEl(tag, attrs) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, String(attrs[k])); return e; }
function axis(el, series) {
  const n = series.length, spans = [];
  for (let k = 0; k < 5 && n > 0; k++) { const s = document.createElement('span'); s.textContent = clock(series[Math.round(k * (n - 1) / 4)].t); spans.push(s); }
  el.replaceChildren(...spans);
}
function line(svg, lines) {
  svg.replaceChildren();
  const W = 300, H = 90, P = 4;
  const all = lines.flatMap((l) => l.values.filter((v) => v !== null));
  const max = Math.max(1e-9, ...all);
  for (const l of lines) {
    const n = l.values.length; let d = ''; let pen = false;
    l.values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      const x = n < 2 ? 0 : (i / (n - 1)) * W, y = H - P - (v / max) * (H - 2 * P);
      d += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1);
      // A second with no neighbour would be an invisible zero-length path: give it a dot's width.
      if (!pen && (l.values[i + 1] ?? null) === null) d += 'h0.8';
      pen = true;
    });
    svg.appendChild(svgEl('path', { d, fill: 'none', stroke: l.color, 'stroke-width': 1.5, 'stroke-linecap': 'round', 'vector-effect': 'non-scaling-stroke' }));
  }
  const label = svgEl('text', { x: 2, y: 10, fill: '#8a96a3', 'font-size': 9 }); label.textContent = 'max ' + fmt(max); svg.appendChild(label);
}
function bars(svg, buckets) {
  svg.replaceChildren();
  const W = 300, H = 90, n = buckets.length, max = Math.max(1, ...buckets.map((b) => b.count)), bw = W / n;
  buckets.forEach((b, i) => {
    const h = (b.count / max) * (H - 18);
    const r = svgEl('rect', { x: i * bw + 2, y: H - 12 - h, width: bw - 4, height: h, fill: '#59c2ff' });
    const t = svgEl('title', {}); t.textContent = (b.le === null ? '>256' : '≤' + b.le) + ': ' + b.count; r.appendChild(t); svg.appendChild(r);
    const l = svgEl('text', { x: i * bw + bw / 2, y: H - 2, fill: '#8a96a3', 'font-size': 8, 'text-anchor': 'middle' });
    l.textContent = b.le === null ? '+' : String(b.le); svg.appendChild(l);
  });
}
/** Rows of cells: [text, className?]; a row's first cell also becomes its data-key. */
function table(tbody, rows, columns, emptyText) {
  if (rows.length === 0) {
    const tr = document.createElement('tr'), td = document.createElement('td');
    td.colSpan = columns; td.className = 'empty'; td.textContent = emptyText; tr.appendChild(td); tbody.replaceChildren(tr); return;
  }
  tbody.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr'); tr.dataset.key = String(cells[0][0]);
    for (const [v, cls] of cells) { const td = document.createElement('td'); td.textContent = String(v); if (cls) td.className = cls; tr.appendChild(td); }
    return tr;
  }));
}
function render(d) {
  const last = d.series[d.series.length - 1];
  $('throughput').textContent = fmt(d.current.throughput, 0);
  $('p50').textContent = fmt(d.current.p50Ms, 2);
  $('p99').textContent = fmt(d.current.p99Ms, 2);
  $('error-rate').textContent = pct(last ? last.failed : 0, last ? last.requests : 0);
  $('hit-rate').textContent = d.current.cacheHitRate === null ? '–' : (d.current.cacheHitRate * 100).toFixed(1) + '%';
  $('in-flight').textContent = String(d.current.inFlight);
  $('total').textContent = String(d.totals.requests);
  $('total-failed').textContent = String(d.totals.failed);
  for (const el of document.querySelectorAll('.window')) el.textContent = span(d.windowSeconds);
  for (const el of document.querySelectorAll('.model-window')) el.textContent = span(d.modelWindowSeconds);
  line($('chart-throughput'), [{ values: d.series.map((p) => p.requests), color: '#59c2ff' }, { values: d.series.map((p) => p.failed), color: '#f07178' }]);
  line($('chart-latency'), [{ values: d.series.map((p) => p.p50Ms), color: '#59c2ff' }, { values: d.series.map((p) => p.p99Ms), color: '#f29668' }]);
  line($('chart-split'), [{ values: d.series.map((p) => p.queueP50Ms), color: '#f29668' }, { values: d.series.map((p) => p.computeP50Ms), color: '#7fd962' }]);
  for (const id of ['axis-throughput', 'axis-latency', 'axis-split']) axis($(id), d.series);
  bars($('chart-batches'), d.batchSizes);
  table($('errors'), d.errors.map((e) => [[e.code, 'bad'], [e.recent, 'num'], [e.window, 'num']]), 3, 'no errors');
  table($('models'), d.models.map((m) => [[m.model], [m.requests, 'num'], [m.failed, m.failed > 0 ? 'num bad' : 'num'], [pct(m.failed, m.requests), 'num'],
    [fmt(m.p50Ms, 2), 'num'], [fmt(m.p99Ms, 2), 'num'], [fmt(m.queueP50Ms, 2), 'num'], [fmt(m.computeP50Ms, 2), 'num'],
    [pct(m.cacheHits, m.cacheHits + m.cacheMisses), 'num']]), 9, 'no traffic');
  table($('workers'), d.workers.map((w) => [[w.id], [w.address ?? '–'], [w.models.join(', ')], [w.state, 'state-' + w.state], [w.inFlight, 'num'], [w.served, 'num'], [w.failed, 'num']]), 7, 'no workers');
  $('worker-count').textContent = String(d.workers.length);
}
// A key entered starts a new generation of polls: an answer to an older poll (sent with no key or
// the old one) is dropped, so a late 401 cannot bring the form back, and only one poll chain runs.
let timer, generation = 0;
async function poll(gen) {
  try {
    const key = sessionStorage.getItem(KEY);
    const res = await fetch(CONFIG.dataUrl, { cache: 'no-store', headers: key ? { authorization: 'Bearer ' + key } : {} });
    if (gen !== generation) return;
    if (res.status === 401) {
      $('key-form').hidden = false;
      throw new Error(key ? 'API key refused' : 'API key needed');
    }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const d = await res.json();
    if (gen !== generation) return;
    render(d);
    $('status').textContent = 'updated ' + clock(d.generatedAtMs);
    $('status').className = '';
  } catch (e) {
    if (gen !== generation) return;
    $('status').textContent = 'disconnected: ' + (e && e.message ? e.message : e);
    $('status').className = 'down';
  } finally {
    if (gen === generation) timer = setTimeout(() => poll(gen), CONFIG.pollMs);
  }
}
$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  // Per tab, never in the URL: the key is sent only to this page's own data endpoint.
  sessionStorage.setItem(KEY, $('api-key').value);
  $('api-key').value = '';
  $('key-form').hidden = true;
  clearTimeout(timer);
  poll(++generation);
});
poll(generation);`;

/**
 * The dashboard as one self-contained HTML page (inline CSS and JS, no external requests but the
 * data endpoint). Serve it with `content-type: text/html; charset=utf-8`.
 */
export function dashboardHtml(options: DashboardHtmlOptions = {}): string {
  const o = parseOptions(DashboardHtmlOptionsSchema, options, 'dashboard');
  const title = escapeHtml(o.title);
  const tile = (id: string, label: string) => `<div class="tile"><b id="${id}">–</b><span>${label}</span></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${CSS}</style></head>
<body><header><h1>${title}</h1><span id="status">connecting…</span>
<form id="key-form" hidden><input id="api-key" type="password" placeholder="API key" autocomplete="off" aria-label="API key"> <button>Connect</button></form></header>
<main>
<section class="wide"><h2>Now (last second)</h2><div class="tiles">
${tile('throughput', 'req/s')}${tile('error-rate', 'errors')}${tile('p50', 'p50 ms')}${tile('p99', 'p99 ms')}
${tile('hit-rate', 'cache hit rate')}${tile('in-flight', 'in flight')}${tile('total', 'requests total')}${tile('total-failed', 'failed total')}
</div></section>
<section><h2>Requests and errors per second, last <span class="window"></span></h2><svg id="chart-throughput" viewBox="0 0 300 90" preserveAspectRatio="none"></svg>
<div class="axis" id="axis-throughput"></div><div class="legend"><i style="background:#59c2ff"></i>requests<i style="background:#f07178"></i>errors</div></section>
<section><h2>Latency (ms)</h2><svg id="chart-latency" viewBox="0 0 300 90" preserveAspectRatio="none"></svg>
<div class="axis" id="axis-latency"></div><div class="legend"><i style="background:#59c2ff"></i>p50<i style="background:#f29668"></i>p99</div></section>
<section><h2>Queue vs compute (median ms)</h2><svg id="chart-split" viewBox="0 0 300 90" preserveAspectRatio="none"></svg>
<div class="axis" id="axis-split"></div><div class="legend"><i style="background:#f29668"></i>waiting for a batch<i style="background:#7fd962"></i>on a worker</div></section>
<section><h2>Errors by code</h2><table>
<thead><tr><th>code</th><th class="num">last <span class="model-window"></span></th><th class="num">last <span class="window"></span></th></tr></thead>
<tbody id="errors"></tbody></table></section>
<section><h2>Batch sizes, last <span class="window"></span></h2><svg id="chart-batches" viewBox="0 0 300 90" preserveAspectRatio="none"></svg></section>
<section class="wide"><h2>Models, last <span class="model-window"></span></h2><table>
<thead><tr><th>model</th><th class="num">requests</th><th class="num">failed</th><th class="num">error rate</th><th class="num">p50 ms</th><th class="num">p99 ms</th><th class="num">queue p50 ms</th><th class="num">compute p50 ms</th><th class="num">cache hits</th></tr></thead>
<tbody id="models"></tbody></table></section>
<section class="wide"><h2>Workers (<span id="worker-count">0</span>)</h2><table>
<thead><tr><th>id</th><th>address</th><th>models</th><th>state</th><th class="num">in flight</th><th class="num">served</th><th class="num">failed</th></tr></thead>
<tbody id="workers"></tbody></table></section>
</main>
<script>const CONFIG = ${scriptJson({ dataUrl: o.dataUrl, pollMs: o.pollMs })};${SCRIPT}</script>
</body></html>
`;
}
