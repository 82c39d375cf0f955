import { describe, expect, it } from 'vitest';
import { SERIES } from '../scenarios/scenario.js';
import { computeFigures } from './figures.js';
import { renderMarkdown } from './markdown.js';

describe('renderMarkdown', () => {
  it('writes the ratios, one row per step, the skipped scenarios and the chart link', () => {
    const figures = computeFigures([
      { scenario: 'floor', series: SERIES.floor, connections: 1, rps: 1000, p50: 0.5, p95: 1, p99: 2, ok: 4000, errors: 0, durationS: 4 },
      { scenario: 'coordinator noop', series: SERIES.coordinatorHttp, connections: 1, rps: 400, p50: 1.5, p95: 3, p99: 4, ok: 1600, errors: 2, durationS: 4 },
    ]);
    const md = renderMarkdown(figures, [{ scenario: 'nginx peer', reason: 'nginx not installed: scenario skipped' }], {
      date: '2026-01-01 00:00 UTC', mode: 'short', durationS: 4, machine: '2 cores', coordinatorArgs: [], chart: 'latency.svg',
    });
    expect(md).toContain('| coordinator HTTP p50 / floor p50 (low load) | 1 | 3.00× | ≤ 2 | no |');
    expect(md).toContain('| coordinator noop | coordinator HTTP noop | 1 | 400 | 1.50 | 3.00 | 4.00 | 0.40× | 3.00× | 3.00× | 2.00× | 2 |');
    expect(md).toContain('- **nginx peer**: nginx not installed: scenario skipped');
    expect(md).toContain('![p50 and p99 latency against connections](latency.svg)');
  });
});
