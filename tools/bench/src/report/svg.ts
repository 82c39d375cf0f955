/** One curve pair of the chart: p50 and p99 latency (ms) at each offered load (connections). */
export interface ChartSeries {
  name: string;
  points: ReadonlyArray<{ x: number; p50: number; p99: number }>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const r1 = (n: number): string => String(Math.round(n * 10) / 10);

/** 1, 2, 5 × 10^k between `lo` and `hi` (both powers of ten). */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(Number(v.toPrecision(6)));
    }
  }
  return ticks;
}

/**
 * A dependency-free line chart: log₂ x (connections), log₁₀ y (ms), one colour per series, p50 solid
 * and p99 dashed, a dot on every measured point (a series measured once is a dot, not an empty line).
 */
export function renderLatencySvg(series: readonly ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 960;
  const height = options.height ?? 540;
  const m = { left: 70, right: 300, top: 48, bottom: 60 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;

  const xs = series.flatMap((s) => s.points.map((p) => p.x)).filter((x) => x > 0);
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.p50, p.p99])).filter((y) => Number.isFinite(y) && y > 0);
  const xLo = xs.length ? Math.min(...xs) : 1;
  const xHi = xs.length ? Math.max(...xs) : 2;
  const [lx0, lx1] = xLo === xHi ? [Math.log2(xLo) - 1, Math.log2(xHi) + 1] : [Math.log2(xLo), Math.log2(xHi)];
  const yLo = 10 ** Math.floor(Math.log10(ys.length ? Math.min(...ys) : 1));
  const yHi = 10 ** Math.ceil(Math.log10(ys.length ? Math.max(...ys) : 10));
  const [ly0, ly1] = yLo === yHi ? [Math.log10(yLo), Math.log10(yLo) + 1] : [Math.log10(yLo), Math.log10(yHi)];
  const sx = (x: number): number => m.left + ((Math.log2(x) - lx0) / (lx1 - lx0)) * plotW;
  const sy = (y: number): number => m.top + plotH - ((Math.log10(y) - ly0) / (ly1 - ly0)) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${m.left}" y="24" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  // Grid and ticks.
  for (const t of logTicks(10 ** ly0, 10 ** ly1)) {
    const y = r1(sy(t));
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`);
  }
  for (const t of [...new Set(xs)].sort((a, b) => a - b)) {
    const x = r1(sx(t));
    out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${m.top + plotH + 18}" text-anchor="middle">${t}</text>`);
  }
  // Axes and their labels.
  out.push(`<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" stroke="#000"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" stroke="#000"/>`);
  out.push(`<text x="${r1(m.left + plotW / 2)}" y="${height - 16}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${r1(m.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);

  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const pts = [...s.points].filter((p) => p.x > 0).sort((a, b) => a.x - b.x);
    for (const [key, dash] of [['p50', ''], ['p99', ' stroke-dasharray="6 4"']] as const) {
      const valid = pts.filter((p) => Number.isFinite(p[key]) && p[key] > 0);
      if (valid.length > 1) {
        const d = valid.map((p) => `${r1(sx(p.x))},${r1(sy(p[key]))}`).join(' ');
        out.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      }
      for (const p of valid) {
        out.push(`<circle cx="${r1(sx(p.x))}" cy="${r1(sy(p[key]))}" r="3" fill="${key === 'p50' ? color : '#ffffff'}" stroke="${color}"/>`);
      }
    }
    const ly = m.top + 10 + i * 20;
    const lx = m.left + plotW + 20;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  const ky = m.top + 10 + series.length * 20 + 14;
  const kx = m.left + plotW + 20;
  out.push(`<line x1="${kx}" y1="${ky}" x2="${kx + 24}" y2="${ky}" stroke="#000" stroke-width="2"/>`);
  out.push(`<text x="${kx + 30}" y="${ky}" dominant-baseline="middle">p50 (filled dots)</text>`);
  out.push(`<line x1="${kx}" y1="${ky + 20}" x2="${kx + 24}" y2="${ky + 20}" stroke="#000" stroke-width="2" stroke-dasharray="6 4"/>`);
  out.push(`<text x="${kx + 30}" y="${ky + 20}" dominant-baseline="middle">p99 (open dots)</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
