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
header{display:flex;align-items:baseline;gap:1rem;padding:.8rem 1.2rem;border-bottom:1px solid #253340}
h1{font-size:1.1rem;margin:0}#status{color:var(--dim);font-size:.85rem}#status.down{color:var(--bad)}
main{padding:1rem 1.2rem;display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
section{background:var(--panel);border-radius:6px;padding:.8rem 1rem}h2{font-size:.8rem;text-transform:uppercase;color:var(--dim);margin:0 0 .5rem}
.tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:.6rem}.tile b{display:block;font-size:1.5rem;font-variant-numeric:tabular-nums}
.tile span{color:var(--dim);font-size:.75rem}svg{width:100%;height:90px;display:block}
.wide{grid-column:1/-1}table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #253340}th{color:var(--dim);font-weight:500}
.state-healthy{color:var(--ok)}.state-unhealthy,.state-down{color:var(--bad)}.legend{font-size:.75rem;color:var(--dim)}
.legend i{display:inline-block;width:.8em;height:.2em;vertical-align:middle;margin:0 .3em}`;

/* The page's script: plain ES2020, DOM built with textContent only (worker ids are not trusted HTML). */
const SCRIPT = `
const $ = (id) => document.getElementById(id);
const NS = 'http://www.w3.org/2000/svg';
const fmt = (v, d = 1) => v === null || v === undefined ? '–' : Number(v).toFixed(d);
function svgEl(tag, attrs) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, String(attrs[k])); return e; }
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
      d += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1); pen = true;
    });
    svg.appendChild(svgEl('path', { d, fill: 'none', stroke: l.color, 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
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
function render(d) {
  $('throughput').textContent = fmt(d.current.throughput, 0);
  $('p50').textContent = fmt(d.current.p50Ms, 2);
  $('p99').textContent = fmt(d.current.p99Ms, 2);
  $('hit-rate').textContent = d.current.cacheHitRate === null ? '–' : (d.current.cacheHitRate * 100).toFixed(1) + '%';
  $('in-flight').textContent = String(d.current.inFlight);
  $('total').textContent = String(d.totals.requests);
  line($('chart-throughput'), [{ values: d.series.map((p) => p.requests), color: '#59c2ff' }]);
  line($('chart-latency'), [{ values: d.series.map((p) => p.p50Ms), color: '#59c2ff' }, { values: d.series.map((p) => p.p99Ms), color: '#f29668' }]);
  bars($('chart-batches'), d.batchSizes);
  const rows = d.workers.map((w) => {
    const tr = document.createElement('tr'); tr.dataset.worker = w.id;
    for (const [v, cls] of [[w.id], [w.address ?? '–'], [w.models.join(', ')], [w.state, 'state-' + w.state], [w.inFlight], [w.served], [w.failed]]) {
      const td = document.createElement('td'); td.textContent = String(v); if (cls) td.className = cls; tr.appendChild(td);
    }
    return tr;
  });
  $('workers').replaceChildren(...rows);
  $('worker-count').textContent = String(d.workers.length);
}
async function poll() {
  try {
    const res = await fetch(CONFIG.dataUrl, { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const d = await res.json();
    render(d);
    $('status').textContent = 'updated ' + new Date(d.generatedAtMs).toLocaleTimeString();
    $('status').className = '';
  } catch (e) {
    $('status').textContent = 'disconnected: ' + (e && e.message ? e.message : e);
    $('status').className = 'down';
  } finally {
    setTimeout(poll, CONFIG.pollMs);
  }
}
poll();`;

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
<body><header><h1>${title}</h1><span id="status">connecting…</span></header>
<main>
<section><h2>Now (last second)</h2><div class="tiles">
${tile('throughput', 'req/s')}${tile('p50', 'p50 ms')}${tile('p99', 'p99 ms')}${tile('hit-rate', 'cache hit rate')}${tile('in-flight', 'in flight')}${tile('total', 'requests total')}
</div></section>
<section><h2>Throughput (req/s)</h2><svg id="chart-throughput" viewBox="0 0 300 90" preserveAspectRatio="none"></svg></section>
<section><h2>Latency (ms)</h2><svg id="chart-latency" viewBox="0 0 300 90" preserveAspectRatio="none"></svg>
<div class="legend"><i style="background:#59c2ff"></i>p50<i style="background:#f29668"></i>p99</div></section>
<section><h2>Batch sizes</h2><svg id="chart-batches" viewBox="0 0 300 90" preserveAspectRatio="none"></svg></section>
<section class="wide"><h2>Workers (<span id="worker-count">0</span>)</h2><table>
<thead><tr><th>id</th><th>address</th><th>models</th><th>state</th><th>in flight</th><th>served</th><th>failed</th></tr></thead>
<tbody id="workers"></tbody></table></section>
</main>
<script>const CONFIG = ${scriptJson({ dataUrl: o.dataUrl, pollMs: o.pollMs })};${SCRIPT}</script>
</body></html>
`;
}
