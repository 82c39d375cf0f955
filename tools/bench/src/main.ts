/**
 * The system benchmark: a real coordinator and workers on localhost, driven by autocannon and by
 * in-process load loops, each step read as a ratio to the floor measured in the same run. Writes
 * docs/bench/latest.md and latency.svg, prints the report, and ends with one JSON line of figures.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { appEntry, buildDemoModels, WORKSPACE_ROOT } from '@infermesh/launcher';
import { BENCH_APP_ENTRIES, createBenchContext } from './bench-context.js';
import { Cleanup } from './cleanup.js';
import { parseBenchArgs, USAGE } from './cli-options.js';
import { allowedCpus, requireTaskset, splitCpus } from './cpu-placement.js';
import { computeFigures, goalMet } from './report/figures.js';
import { renderMarkdown } from './report/markdown.js';
import { renderLatencySvg, type ChartSeries } from './report/svg.js';
import { SCENARIOS } from './scenarios/index.js';
import { BASELINE_MODELS } from './scenarios/scenario.js';

const out = (line: string): boolean => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const began = performance.now();
  const cleanup = new Cleanup();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping every process it started\n`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Before anything starts: a missing build fails here with the command that makes it.
  for (const app of ['coordinator', 'worker', 'buildModels'] as const) appEntry(app, BENCH_APP_ENTRIES);
  const scenarios = options.scenarios.length ? SCENARIOS.filter((s) => options.scenarios.includes(s.id)) : SCENARIOS;
  // And a missing tool (wrk) fails here, naming the Debian package, before any process starts.
  for (const scenario of scenarios) scenario.requireTools?.();
  const placement = options.cpus === 'split' ? splitCpus(allowedCpus()) : undefined;
  if (placement) requireTaskset();
  const tempDir = mkdtempSync(join(tmpdir(), 'im-bench-'));
  cleanup.add('temp dir', async () => rmSync(tempDir, { recursive: true, force: true }));
  // Its own repository: the MLP here is wider than the demo's (64→1024→1024→16), so that a request
  // costs the worker real compute and batching has something to amortise, as in serving.
  const repository = join(tempDir, 'models');
  const where = placement ? `load generator on CPU ${placement.load}, systems under test on CPU ${placement.system}` : 'CPUs shared (placed by the scheduler)';
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}; ${where}), load average ${loadavg()[0]?.toFixed(1)} at start, Node ${process.version}`;
  out(`infermesh bench --${options.mode}: ${options.durationS} s per step, connections ${options.levels.join('/')}; ${machine}`);
  if (options.coordinatorArgs.length) out(`coordinator flags: ${options.coordinatorArgs.join(' ')}`);

  if (options.scenarios.length) out(`scenarios: ${scenarios.map((s) => s.id).join(', ')}`);
  const { ctx, measurements, skipped, preprocessCosts } = createBenchContext({ ...options, repository, tempDir, cleanup, placement });
  let failed = false;
  try {
    // The OCR networks go in a repository of their own (the ocr scenario's), not into every scenario's workers.
    await buildDemoModels(repository, undefined, ['--mlp-dims', BASELINE_MODELS.heavy.dims.join(','), '--models', 'sentiment,mlp,noop'], BENCH_APP_ENTRIES);
    // One scenario's processes after another: all at once, some thirty coordinators and workers loading
    // models on two cores missed their 30 s start timeout. A scenario still starts its own in parallel.
    out('starting the processes every scenario needs (scenario by scenario, before any measurement)');
    for (const scenario of scenarios) await scenario.prepare?.(ctx).catch(() => undefined);
    for (const scenario of scenarios) {
      out(`▸ ${scenario.name}`);
      try {
        await scenario.run(ctx);
      } catch (error) {
        if (interrupted) throw error;
        failed = true;
        const message = error instanceof Error ? error.message.split('\n').slice(0, 6).join('\n    ') : String(error);
        ctx.skip(scenario.name, `FAILED: ${message}`);
      }
    }
  } finally {
    await cleanup.runAll();
  }

  const figures = computeFigures(measurements, preprocessCosts);
  const outDir = resolve(WORKSPACE_ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const bySeries = new Map<string, ChartSeries['points'][number][]>();
  for (const p of measurements) {
    const list = bySeries.get(p.series) ?? [];
    list.push({ x: p.connections, p50: p.p50, p99: p.p99 });
    bySeries.set(p.series, list);
  }
  const svg = renderLatencySvg(
    [...bySeries].map(([name, points]) => ({ name, points })),
    { title: `infermesh latency against offered load (--${options.mode}, p50 solid, p99 dashed)`, xLabel: 'connections, one request in flight each (log scale)', yLabel: 'latency, ms (log scale)' },
  );
  const markdown = renderMarkdown(figures, skipped, {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    mode: options.mode,
    durationS: options.durationS,
    machine,
    coordinatorArgs: options.coordinatorArgs,
    scenarios: options.scenarios,
    chart: 'latency.svg',
  });
  writeFileSync(join(outDir, 'latency.svg'), svg);
  writeFileSync(join(outDir, 'latest.md'), markdown);

  out('');
  out(markdown.split('\n## Latency against offered load')[0]?.trimEnd() ?? markdown);
  out('');
  out(`report: ${relative(process.cwd(), join(outDir, 'latest.md'))}, chart: ${relative(process.cwd(), join(outDir, 'latency.svg'))}; ${((performance.now() - began) / 1000).toFixed(0)} s in all`);
  const round = (n: number): number | null => (Number.isFinite(n) ? Math.round(n * 1000) / 1000 : null);
  out(
    JSON.stringify({
      bench: 'system',
      mode: options.mode,
      durationS: options.durationS,
      ratios: Object.fromEntries(figures.headlines.map((h) => [h.name, { value: round(h.value), connections: h.connections, ...(h.goal ? { goal: h.goal, met: goalMet(h) } : {}) }])),
      points: figures.points.map((p) => ({
        series: p.series,
        connections: p.connections,
        rps: round(p.rps),
        p50: round(p.p50),
        p95: round(p.p95),
        p99: round(p.p99),
        errors: p.errors,
        ...(p.vsFloor ? { vsFloor: { rps: round(p.vsFloor.rps), p50: round(p.vsFloor.p50), p95: round(p.vsFloor.p95), p99: round(p.vsFloor.p99) } } : {}),
      })),
      ...(figures.baseline.length ? {
        baseline: figures.baseline.map((r) => ({
          model: r.model, connections: r.connections, system: r.system, rps: round(r.rps), p50: round(r.p50), p99: round(r.p99),
          ...(r.cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer: round(r.cpuMsPerAnswer) } : {}),
          ...(r.vsPlain ? { vsPlain: { rps: round(r.vsPlain.rps), p50: round(r.vsPlain.p50), ...(r.vsPlain.cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer: round(r.vsPlain.cpuMsPerAnswer) } : {}) } } : {}),
        })),
      } : {}),
      ...(figures.protocols.length ? {
        protocols: figures.protocols.map((r) => ({
          model: r.model, connections: r.connections, protocol: r.protocol, rps: round(r.rps), p50: round(r.p50), p99: round(r.p99),
          ...(r.cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer: round(r.cpuMsPerAnswer) } : {}),
          ...(r.mainThreadCpuMsPerAnswer !== undefined ? { mainThreadCpuMsPerAnswer: round(r.mainThreadCpuMsPerAnswer) } : {}),
          ...(r.vsFloor ? { vsFloor: { rps: round(r.vsFloor.rps), p50: round(r.vsFloor.p50), p99: round(r.vsFloor.p99) } } : {}),
          ...(r.vsJson ? { vsJson: { rps: round(r.vsJson.rps), p50: round(r.vsJson.p50), p99: round(r.vsJson.p99), ...(r.vsJson.cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer: round(r.vsJson.cpuMsPerAnswer) } : {}), ...(r.vsJson.mainThreadCpuMsPerAnswer !== undefined ? { mainThreadCpuMsPerAnswer: round(r.vsJson.mainThreadCpuMsPerAnswer) } : {}) } } : {}),
        })),
      } : {}),
      ...(figures.frontDoors.length || figures.failovers.length ? {
        haproxy: figures.frontDoors.map((r) => ({
          model: r.model, connections: r.connections, frontDoor: r.door, rps: round(r.rps), p50: round(r.p50), p99: round(r.p99), errors: r.errors,
          ...(r.cpu ? { cpuMsPerAnswer: { coordinators: round(r.cpu.coordinators), workers: round(r.cpu.workers), haproxy: round(r.cpu.proxy), all: round(r.cpu.total) } } : {}),
          ...(r.vsDirect ? { vsDirect: Object.fromEntries(Object.entries(r.vsDirect).map(([k, v]) => [k, round(v)])) } : {}),
        })),
        failover: figures.failovers.map((f) => ({ ...f, lastFailureAfterKillMs: f.lastFailureAfterKillMs === undefined ? null : round(f.lastFailureAfterKillMs), maxLatencyMs: round(f.maxLatencyMs) })),
      } : {}),
      ...(figures.placement.length ? {
        placement: figures.placement.map((p) => ({
          words: p.words, connections: p.connections, variant: p.variant, rps: round(p.rps), p50: round(p.p50), p99: round(p.p99),
          ...(p.cpuMsPerRequest ? { cpuMsPerRequest: { coordinator: round(p.cpuMsPerRequest.coordinator), modelWorkers: round(p.cpuMsPerRequest.modelWorkers), processors: round(p.cpuMsPerRequest.processors) } } : {}),
          ...(p.vsColocated ? { vsColocated: { rps: round(p.vsColocated.rps), p50: round(p.vsColocated.p50), p99: round(p.vsColocated.p99) } } : {}),
        })),
        preprocessCosts: figures.preprocessCosts.map((c) => ({ ...c, p50Ms: round(c.p50Ms), p99Ms: round(c.p99Ms) })),
      } : {}),
      skipped,
    }),
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
