import { describe, expect, it } from 'vitest';
import { escapeXml, logTicks, renderLatencySvg } from './svg.js';

describe('logTicks', () => {
  it('puts 1, 2, 5 in every decade between two powers of ten', () => {
    expect(logTicks(0.1, 10)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
  });
});

describe('renderLatencySvg', () => {
  const svg = renderLatencySvg(
    [
      { name: 'floor <transport>', points: [{ x: 1, p50: 0.5, p99: 2 }, { x: 16, p50: 1, p99: 8 }, { x: 64, p50: 4, p99: 30 }] },
      { name: 'nginx', points: [{ x: 16, p50: 1.2, p99: 9 }] },
    ],
    { title: 'latency', xLabel: 'connections', yLabel: 'ms' },
  );

  it('is one well-formed svg element with escaped labels', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('floor &lt;transport&gt;');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('draws a p50 and a dashed p99 line for a series with several points, dots only for a single point', () => {
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<polyline [^>]*stroke-dasharray/g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(3 * 2 + 1 * 2);
  });

  it('maps the lowest load to the left edge and the highest latency to the top of the plot', () => {
    // x: log2 from 1 to 64 over the plot width (left margin 70); y: log10 from 0.1 to 100 ms.
    expect(svg).toContain('<circle cx="70" ');
    const plotTop = 48;
    const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(plotTop);
  });

  it('escapes every XML special character', () => {
    expect(escapeXml(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;');
  });
});
