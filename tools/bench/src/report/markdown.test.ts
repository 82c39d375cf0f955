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

  it('adds the placement table, with pre-processing costs, only when the placement scenario ran', () => {
    const meta = { date: 'd', mode: 'short', durationS: 4, machine: '2 cores', coordinatorArgs: [], scenarios: ['placement'], chart: 'latency.svg' };
    const step = { scenario: 'placement', connections: 64, p95: 1, ok: 1, errors: 0, durationS: 4 };
    const figures = computeFigures(
      [
        { ...step, series: SERIES.placement(20, 'colocated'), rps: 400, p50: 10, p99: 40, placement: { words: 20, variant: 'colocated' } },
        {
          ...step, series: SERIES.placement(20, 'disaggregated'), rps: 200, p50: 20, p99: 60, placement: { words: 20, variant: 'disaggregated' },
          cpuMsPerRequest: { coordinator: 1.5, modelWorkers: 0.25, processors: 0.5 },
        },
      ],
      [{ words: 20, p50Ms: 0.071, p99Ms: 0.2, bodyBytes: 248, bowBytes: 13_528 }],
    );
    const md = renderMarkdown(figures, [], meta);
    expect(md).toContain('Scenarios: placement only.');
    expect(md).toContain('| 20 | 0.071 ms | 0.200 ms | 248 B | 13528 B |');
    expect(md).toContain('| 20 | 64 | co-located, 2 workers | 400 | 10.00 | 40.00 | – | – | – | – | – | – |');
    expect(md).toContain('| 20 | 64 | disaggregated, 1 worker + 1 processor | 200 | 20.00 | 60.00 | 0.50× | 2.00× | 1.50× | 1.50 | 0.25 | 0.50 |');
    expect(renderMarkdown(computeFigures([]), [], meta)).not.toContain('## Placement');
  });

  it('adds a plain-server table per model, each system over the plain server, only when that scenario ran', () => {
    const meta = { date: 'd', mode: 'short', durationS: 4, machine: '2 cores', coordinatorArgs: [], chart: 'latency.svg' };
    const step = { scenario: 'plain-server', connections: 64, p95: 1, ok: 1, errors: 0, durationS: 6, rounds: 3 };
    const plain = { model: 'demo', system: { kind: 'plain' } } as const;
    const layout = { model: 'demo', system: { kind: 'infermesh', layout: 'npm start layout: coordinator + 2 workers' } } as const;
    const figures = computeFigures([
      { ...step, series: SERIES.baseline(plain), baseline: plain, rps: 10_000, p50: 4, p99: 8, cpuMsPerAnswer: 0.1 },
      {
        ...step, series: SERIES.baseline(layout), baseline: layout, rps: 5000, p50: 10, p99: 20, cpuMsPerAnswer: 0.5,
        cpuMsPerRequest: { coordinator: 0.3, modelWorkers: 0.2, processors: 0 },
      },
    ]);
    const md = renderMarkdown(figures, [{ scenario: 'Ray Serve', reason: 'not installed (pip install "ray[serve]" needs PyPI, unreachable here)' }], meta);
    expect(md).toContain('### demo mlp 64→256→256→16');
    expect(md).toContain('| 64 | plain node:http + onnxruntime-node | 10000 | 4.00 | 8.00 | 0.100 | – | – | – | – | – |');
    expect(md).toContain('| 64 | infermesh, npm start layout: coordinator + 2 workers | 5000 | 10.00 | 20.00 | 0.500 | 0.300 | 0.200 | 0.50× | 2.50× | 5.00× |');
    expect(md).toContain('| demo mlp 64→256→256→16: infermesh, npm start layout: coordinator + 2 workers req/s ÷ plain server req/s | 64 | 0.50× | ≥ 1 | no |');
    expect(md).toContain('Each figure is the median of 3 rounds of about 2 s, the systems taking turns in each round.');
    const once = computeFigures([{ ...step, rounds: undefined, series: SERIES.baseline(plain), baseline: plain, rps: 1, p50: 1, p99: 1 }]);
    expect(renderMarkdown(once, [], meta)).not.toContain('median of');
    expect(md).toContain('- **Ray Serve**: not installed (pip install "ray[serve]" needs PyPI, unreachable here)');
    expect(renderMarkdown(computeFigures([]), [], meta)).not.toContain('## Plain server');
  });

  it('adds a protocols table per model, over the floor and over JSON HTTP, only when that scenario ran', () => {
    const meta = { date: 'd', mode: 'short', durationS: 4, machine: '2 cores', coordinatorArgs: [], chart: 'latency.svg' };
    const step = { scenario: 'protocols', connections: 1, p95: 1, ok: 1, errors: 0, durationS: 4 };
    const json = { model: 'heavy', protocol: 'json' } as const;
    const grpc = { model: 'heavy', protocol: 'grpc' } as const;
    const figures = computeFigures([
      { ...step, scenario: 'floor', series: SERIES.floor, rps: 2000, p50: 0.5, p99: 1 },
      { ...step, series: SERIES.protocol(json), protocol: json, rps: 1000, p50: 1, p99: 2, cpuMsPerAnswer: 0.8, mainThreadCpuMsPerAnswer: 0.2 },
      { ...step, series: SERIES.protocol(grpc), protocol: grpc, rps: 1500, p50: 0.75, p99: 1.5, cpuMsPerAnswer: 0.4, mainThreadCpuMsPerAnswer: 0.05 },
    ]);
    const md = renderMarkdown(figures, [], meta);
    expect(md).toContain('## Client protocols: JSON HTTP, binary HTTP, gRPC');
    expect(md).toContain('### heavy mlp 64→1024→1024→16');
    expect(md).toContain('| 1 | JSON HTTP | 1000 | 1.00 | 2.00 | 0.800 | 0.200 | 0.50× | 2.00× | 2.00× | – | – | – | – | – |');
    expect(md).toContain('| 1 | gRPC | 1500 | 0.75 | 1.50 | 0.400 | 0.050 | 0.75× | 1.50× | 1.50× | 1.50× | 0.75× | 0.75× | 0.50× | 0.25× |');
    expect(md).toContain("| heavy mlp 64→1024→1024→16: gRPC coordinator CPU ms/answer ÷ JSON HTTP's | 1 | 0.50× |  |  |");
    expect(renderMarkdown(computeFigures([]), [], meta)).not.toContain('## Client protocols');
  });

  it('adds a tracing table, CPU per answer by sampling ratio over the unsampled cluster, only when that scenario ran', () => {
    const meta = { date: 'd', mode: 'short', durationS: 4, machine: '2 cores', coordinatorArgs: [], chart: 'latency.svg' };
    const step = { scenario: 'tracing', connections: 16, p95: 1, ok: 1, errors: 0, durationS: 4, p50: 1, p99: 2 };
    const figures = computeFigures([
      { ...step, series: SERIES.tracing({ sampling: 1 }), tracing: { sampling: 1 }, rps: 900, cpuMsPerRequest: { coordinator: 0.6, modelWorkers: 0.3, processors: 0 } },
      { ...step, series: SERIES.tracing({ sampling: 0 }), tracing: { sampling: 0 }, rps: 1000, cpuMsPerRequest: { coordinator: 0.5, modelWorkers: 0.25, processors: 0 } },
    ]);
    const md = renderMarkdown(figures, [], meta);
    expect(md).toContain('## Tracing: CPU per request by sampling ratio');
    expect(md).toContain('| 16 | 0 % | 1000 | 1.00 | 2.00 | 0.500 | 0.250 | 1.00× | 1.00× |');
    expect(md).toContain('| 16 | 100 % | 900 | 1.00 | 2.00 | 0.600 | 0.300 | 1.20× | 1.20× |');
    expect(md.indexOf('| 16 | 0 % |')).toBeLessThan(md.indexOf('| 16 | 100 % |'));
    expect(renderMarkdown(computeFigures([]), [], meta)).not.toContain('## Tracing');
  });

  it('adds the HAProxy tables, with the added p50 in ms and the failover step, only when the haproxy scenario ran', () => {
    const meta = { date: 'd', mode: 'short', durationS: 4, machine: '2 cores', coordinatorArgs: [], scenarios: ['haproxy'], chart: 'latency.svg' };
    const step = { scenario: 'haproxy', connections: 1, p95: 1, p99: 3, ok: 100, errors: 0, durationS: 4 };
    const direct = { model: 'demo', door: 'direct' } as const;
    const one = { model: 'demo', door: 'one' } as const;
    const killed = { model: 'demo', door: 'two', failover: true } as const;
    const md = renderMarkdown(computeFigures([
      { ...step, series: SERIES.frontDoor(direct), frontDoor: direct, rps: 500, p50: 2, cpuMsPerRequest: { coordinator: 0.4, modelWorkers: 1, processors: 0 } },
      { ...step, series: SERIES.frontDoor(one), frontDoor: one, rps: 400, p50: 2.5, cpuMsPerRequest: { coordinator: 0.4, modelWorkers: 1, processors: 0, proxy: 0.1 } },
      { ...step, connections: 16, series: SERIES.frontDoor(killed), frontDoor: killed, rps: 300, p50: 9, failover: { killedAtS: 2, failed: 0, maxLatencyMs: 812 } },
    ]), [], meta);
    expect(md).toContain('### demo mlp 64→256→256→16');
    expect(md).toContain('| 1 | HAProxy → 1 coordinator | 400 | 2.50 | 3.00 | 0.400 | 1.000 | 0.100 | 1.500 | 0.80× | 1.25× | 0.50 | 1.00× | 1.00× | 1.07× | 0 |');
    expect(md).toContain('| demo mlp 64→256→256→16 | 16 | 2.0 s | 100 | 0 | none | 812 ms |');
    expect(renderMarkdown(computeFigures([]), [], meta)).not.toContain('HAProxy');
  });
});
