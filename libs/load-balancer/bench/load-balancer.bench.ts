/**
 * (a) acquire + release per second for each strategy over 8 endpoints, against a plain
 *     `array[i++ % n]` pick measured in the same run; (b) a discrete-event simulation (no sleeps, no
 *     sockets) of 8 single-server endpoints, one 10× slower, at 70% load: p50/p99 per strategy.
 * Prints markdown tables and ends with one JSON line of every figure.
 */
import { LoadBalancer, STRATEGY_NAMES, type StrategyName } from '../src/index.js';
import { simulate, type SimulationResult, type SimulationSettings } from './simulation.js';

const ENDPOINTS = 8;
const PICKS = 400_000;
const ROUNDS = 5;
const out = (line: string) => process.stdout.write(`${line}\n`);

function opsPerSecond(run: () => void): number {
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, PICKS / seconds);
  }
  return best;
}

const endpoints = Array.from({ length: ENDPOINTS }, (_, i) => ({ host: `10.0.0.${i}` }));
let sink = 0;
const baseline = opsPerSecond(() => {
  let i = 0;
  for (let k = 0; k < PICKS; k++) sink += endpoints[i++ % ENDPOINTS]?.host.length ?? 0;
});

const throughput: Record<string, { opsPerSec: number; slowdown: number }> = {};
out('## Picks per second (acquire + release, 8 endpoints)\n');
out('| strategy | picks/s | × slower than `array[i++ % n]` |');
out('|---|---:|---:|');
out(`| baseline \`array[i++ % n]\` | ${Math.round(baseline).toLocaleString('en')} | 1.0 |`);
for (const strategy of STRATEGY_NAMES) {
  const lb = new LoadBalancer<{ host: string }>({ strategy });
  endpoints.forEach((e, i) => lb.add(`e${i}`, e));
  const ops = opsPerSecond(() => {
    for (let k = 0; k < PICKS; k++) {
      const lease = lb.tryAcquire();
      sink += lease.endpoint.host.length;
      lease.release({ ok: true, latencyMs: 1 + (k & 7) });
    }
  });
  lb.close();
  throughput[strategy] = { opsPerSec: Math.round(ops), slowdown: Number((baseline / ops).toFixed(1)) };
  out(`| ${strategy} | ${Math.round(ops).toLocaleString('en')} | ${(baseline / ops).toFixed(1)} |`);
}

const settings: SimulationSettings = {
  endpoints: ENDPOINTS, meanServiceMs: 10, slowFactor: 10, utilisation: 0.7, requests: 60_000, warmup: 5_000, seed: 2024,
};
const results: SimulationResult[] = STRATEGY_NAMES.map((s: StrategyName) => simulate(s, settings));
const rr = results.find((r) => r.strategy === 'round-robin');
out('\n## Simulation: 8 endpoints, one 10× slower, 70% load\n');
out(`Exponential service (mean 10 ms; endpoint e0 100 ms), one request at a time per endpoint with a FIFO queue,`);
out(`Poisson arrivals at ${Math.round(0.7 * (7 * 100 + 10))} req/s, ${settings.requests} requests (first ${settings.warmup} not counted).\n`);
out('| strategy | p50 ms | p99 ms | mean ms | share sent to slow | p99 vs round-robin |');
out('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  const ratio = rr === undefined ? NaN : r.p99Ms / rr.p99Ms;
  out(`| ${r.strategy} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.meanMs.toFixed(1)} | ${(100 * r.slowShare).toFixed(1)}% | ${ratio.toPrecision(2)} |`);
}
const figures = {
  baselineOpsPerSec: Math.round(baseline),
  throughput,
  simulation: Object.fromEntries(
    results.map((r) => [r.strategy, { p50Ms: +r.p50Ms.toFixed(2), p99Ms: +r.p99Ms.toFixed(2), meanMs: +r.meanMs.toFixed(2), slowShare: +r.slowShare.toFixed(4) }]),
  ),
  sink: sink > 0,
};
out(`\n${JSON.stringify(figures)}`);
