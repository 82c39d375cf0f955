import { startCluster, type AppEntries, type Cluster } from '@infermesh/launcher';
import type { BenchOptions } from './cli-options.js';
import type { Cleanup } from './cleanup.js';
import { placeForMeasurement, type CpuPlacement } from './cpu-placement.js';
import { medianOfRounds, type LoadResult } from './load/load-result.js';
import { progressLine } from './load/progress.js';
import type { BenchContext, ClusterStart, MeasuredStep, Measurement, PreprocessCost, Skipped } from './scenarios/scenario.js';

/**
 * The bench starts the apps' built JavaScript (`dist/main.js`), as `npm start` does, never their source
 * through tsx: a measurement of tsx is not one of the engine. The nx target `bench:bench` builds them
 * first; the launcher fails with what to run when a build is missing.
 */
export const BENCH_APP_ENTRIES: AppEntries = 'built';

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/**
 * Steps compared as ratios (`measureInTurns`) are measured in this many rounds of half the step's duration
 * (at least 2 s: wrk counts whole seconds), the systems taking turns each round, each figure the median of
 * its rounds. One 4 s step per system moved a ratio to the plain server by up to 2× between two runs of one
 * build (inline at 64 connections 0.62× then 0.45×, inline ×2 0.48× then 0.88×), as the scheduler put a
 * server on wrk's CPU for a while or a neighbour took the machine for a few seconds.
 */
const MEASURE_ROUNDS = 3;

/** What one step measured, as the report keeps it. */
function toMeasurement(step: MeasuredStep, result: LoadResult): Measurement {
  return {
    ...step,
    rps: result.rps,
    p50: result.latency.p50,
    p95: result.latency.p95,
    p99: result.latency.p99,
    ok: result.ok,
    errors: result.errors,
    durationS: result.durationS,
    ...(result.cpuMsPerRequest ? { cpuMsPerRequest: result.cpuMsPerRequest } : {}),
    ...(result.cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer: result.cpuMsPerAnswer } : {}),
    ...(result.mainThreadCpuMsPerAnswer !== undefined ? { mainThreadCpuMsPerAnswer: result.mainThreadCpuMsPerAnswer } : {}),
    ...(result.failover ? { failover: result.failover } : {}),
  };
}

/** A step's progress-line outcome. */
function summary(m: Measurement): string {
  const cpu = m.cpuMsPerRequest;
  return (
    `${Math.round(m.rps)} req/s, p50 ${fmt(m.p50)} ms, p95 ${fmt(m.p95)} ms, p99 ${fmt(m.p99)} ms${m.errors ? `, ${m.errors} errors` : ''}` +
    (cpu
      ? `; CPU ms/req: coordinator ${fmt(cpu.coordinator)}, workers ${fmt(cpu.modelWorkers)}, processors ${fmt(cpu.processors)}${cpu.proxy !== undefined ? `, HAProxy ${fmt(cpu.proxy)}` : ''}`
      : m.cpuMsPerAnswer !== undefined
        ? `; CPU ms/req ${fmt(m.cpuMsPerAnswer, 3)}`
        : '')
  );
}

/** The context scenarios run in, and what they recorded. */
export function createBenchContext(
  options: BenchOptions & { repository: string; tempDir: string; cleanup: Cleanup; placement: CpuPlacement | undefined },
): { ctx: BenchContext; measurements: Measurement[]; skipped: Skipped[]; preprocessCosts: PreprocessCost[] } {
  const measurements: Measurement[] = [];
  const preprocessCosts: PreprocessCost[] = [];
  const skipped: Skipped[] = [];
  const { cleanup } = options;

  const start = async (
    name: string, workers: number, extra: readonly string[], processors = 0, repository = options.repository, env?: NodeJS.ProcessEnv, processes = 1,
  ): Promise<ClusterStart> => {
    try {
      const cluster = await startCluster({
        repository,
        // Several processes: no worker dials in here (a group's worker ports would need fixed numbers).
        ...(processes > 1 ? { workerPort: null, processes } : {}),
        ...(env ? { env } : {}),
        entries: BENCH_APP_ENTRIES,
        workers,
        processors,
        // The response cache would answer the repeated bodies of a load test: off unless a scenario turns it on.
        coordinatorArgs: ['--cache', 'off', ...options.coordinatorArgs, ...extra],
      });
      cleanup.track(cluster.coordinator.child);
      for (const w of [...cluster.workers, ...cluster.processors]) cleanup.track(w.child);
      cleanup.add(`cluster ${name}`, () => cluster.stop());
      return { ok: true, cluster };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The apps exit with code 2 on a flag or config they refuse (see @infermesh/config).
      if (/coordinator exited \(code 2\)/.test(message)) {
        const why = message.split('\n').find((l) => /unknown|unrecognized|invalid/i.test(l)) ?? '';
        return { ok: false, reason: `the coordinator refuses "${extra.join(' ')}" (exit 2${why ? `: ${why.trim().slice(0, 160)}` : ''}); skipped until it accepts them` };
      }
      throw error;
    }
  };

  const resources = new Map<string, Promise<unknown>>();
  const resource = <T>(key: string, begin: () => Promise<T>): Promise<T> => {
    let found = resources.get(key) as Promise<T> | undefined;
    if (!found) {
      found = begin();
      found.catch(() => undefined); // awaited by the scenario that needs it; prepare only starts it
      resources.set(key, found);
    }
    return found;
  };
  const ctx: BenchContext = {
    mode: options.mode,
    durationS: options.durationS,
    levels: options.levels,
    repository: options.repository,
    tempDir: options.tempDir,
    cleanup,
    coordinatorArgs: { base: options.coordinatorArgs, batching: options.batchingArgs, cache: options.cacheArgs },
    preWords: options.preWords,
    cluster: () =>
      resource('cluster:shared', () =>
        start('shared', 1, []).then((s): Cluster => {
          if (!s.ok) throw new Error(`the coordinator refused --coordinator-args: ${s.reason}`);
          return s.cluster;
        }),
      ),
    startCluster: ({ name, workers, processors, coordinatorArgs, repository, env, processes }) =>
      resource(`cluster:${name}`, () => start(name, workers, coordinatorArgs, processors, repository, env, processes)),
    resource,
    async measure(step, run) {
      if (options.placement) placeForMeasurement(options.placement);
      const progress = progressLine(`${step.series} @ ${step.connections} conn`);
      const m = toMeasurement(step, await run(progress.onAnswer));
      progress.done(summary(m));
      measurements.push(m);
      return m;
    },
    async measureInTurns(steps) {
      const roundS = Math.max(2, Math.round(options.durationS / 2));
      if (options.placement) placeForMeasurement(options.placement);
      const results = steps.map((): LoadResult[] => []);
      for (let round = 1; round <= MEASURE_ROUNDS; round++) {
        for (const [i, { step, run }] of steps.entries()) {
          const progress = progressLine(`${step.series} @ ${step.connections} conn, round ${round}/${MEASURE_ROUNDS}`);
          const result = await run(progress.onAnswer, roundS);
          progress.done(summary(toMeasurement(step, result)));
          results[i]!.push(result);
        }
      }
      return steps.map(({ step }, i) => {
        const m: Measurement = { ...toMeasurement(step, medianOfRounds(results[i]!)), rounds: MEASURE_ROUNDS };
        process.stdout.write(`  ${step.series} @ ${step.connections} conn, median of ${MEASURE_ROUNDS} rounds: ${summary(m)}\n`);
        measurements.push(m);
        return m;
      });
    },
    recordPreprocessCost(cost) {
      preprocessCosts.push(cost);
    },
    skip(scenario, reason) {
      process.stdout.write(`  ${scenario}: ${reason}\n`);
      skipped.push({ scenario, reason });
    },
  };
  return { ctx, measurements, skipped, preprocessCosts };
}
