import { join } from 'node:path';
import { appEntry, spawnApp, writeClusterToken, type ManagedProcess } from '@infermesh/launcher';
import { BENCH_APP_ENTRIES } from '../bench-context.js';
import type { ForegroundServer } from '../foreground-server.js';
import { findHaproxy, startHaproxy } from '../haproxy.js';
import { runAutocannon } from '../load/autocannon-run.js';
import { warmUp } from '../load/warm-up.js';
import type { LoadResult, OnAnswer } from '../load/load-result.js';
import { cpuPerAnswer } from '../load/process-cpu.js';
import { mlpHttpBodies } from '../payloads.js';
import { modelFiles } from './baseline-models.js';
import { BASELINE_MODELS, FRONT_DOORS, levelsFor, SERIES, type BaselineModel, type BenchContext, type FrontDoor, type Scenario } from './scenario.js';

const SCENARIO = 'haproxy';
/** Distinct inputs in one turn shared by every connection: no two requests in flight are the same. */
const DISTINCT_INPUTS = 1024;
const MODELS = Object.keys(BASELINE_MODELS) as BaselineModel[];
const DOORS = Object.keys(FRONT_DOORS) as FrontDoor[];
const WORKERS = 2;
const FAILOVER_CONNECTIONS = 16;

/** The multi-host layout on loopback: two worker processes listening, two coordinators dialling both, two HAProxies. */
interface Bed {
  coordinators: ManagedProcess[];
  workers: ManagedProcess[];
  /** The front door of each variant: a URL, and the HAProxy behind it if any. */
  doors: Record<FrontDoor, { url: string; proxy: ForegroundServer | undefined }>;
}

function track(ctx: BenchContext, p: ManagedProcess): ManagedProcess {
  ctx.cleanup.track(p.child);
  ctx.cleanup.add(p.name, () => p.stop());
  return p;
}

/**
 * As docs/deploy.md §6 lays out hosts B–E, on one machine: the workers listen (`--port`) and every
 * coordinator dials every worker (`--worker`, where the bed finds them in etcd), with one shared secret
 * on the worker channel (the bed uses mutual TLS; the channel's handshake is not on the request path).
 */
function bed(ctx: BenchContext, model: BaselineModel, haproxy: string): Promise<Bed> {
  return ctx.resource(`haproxy:bed:${model}`, async () => {
    const { repository } = await modelFiles(ctx, model);
    const dir = join(ctx.tempDir, `haproxy-${model}`);
    const secretFile = await writeClusterToken(join(dir, 'worker-token'));
    const workers = await Promise.all(Array.from({ length: WORKERS }, async (_, i) => {
      const w = track(ctx, spawnApp({
        name: `haproxy ${model} worker-${i + 1}`, entry: appEntry('worker', BENCH_APP_ENTRIES),
        args: ['--id', `worker-${i + 1}`, '--repository', repository, '--model', 'mlp', '--host', '127.0.0.1', '--port', '0', '--secret-file', secretFile],
      }));
      const { port } = await w.waitFor('worker listening', { timeoutMs: 60_000 });
      return { w, address: `127.0.0.1:${port}` };
    }));
    const coordinators = await Promise.all([1, 2].map(async (n) => {
      const c = track(ctx, spawnApp({
        name: `haproxy ${model} coordinator-${n}`, entry: appEntry('coordinator', BENCH_APP_ENTRIES),
        args: [
          '--listen-port', '0', '--grpc-port', '0', '--worker-port', '0', '--secret-file', secretFile,
          ...workers.flatMap((w) => ['--worker', w.address]),
          '--cache', 'off', ...ctx.coordinatorArgs.base,
        ],
      }));
      // Registered before the lines can come: the coordinator logs them as soon as it is up.
      const joined = workers.map((_, i) => c.waitFor('worker joined', { timeoutMs: 60_000, match: (l) => l.worker === `worker-${i + 1}` }));
      const { port } = await c.waitFor('coordinator listening', { timeoutMs: 60_000 });
      await Promise.all(joined);
      return { c, address: `127.0.0.1:${port}` };
    }));
    const [first, second] = coordinators as [(typeof coordinators)[number], (typeof coordinators)[number]];
    const proxy = async (door: FrontDoor, servers: Array<typeof first>): Promise<ForegroundServer> => {
      const p = await startHaproxy({ binary: haproxy, dir: join(dir, door), servers: servers.map((s, i) => ({ name: `c${i + 1}`, address: s.address })) });
      ctx.cleanup.track(p.child);
      ctx.cleanup.add(`haproxy ${model} ${door}`, () => p.stop());
      const url = `http://127.0.0.1:${p.port}`;
      // HAProxy accepts before its first health checks have passed: wait until it forwards.
      const deadline = Date.now() + 10_000;
      while (!(await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline) throw new Error(`haproxy ${door} does not forward to the coordinators`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return p;
    };
    const [one, two] = await Promise.all([proxy('one', [first]), proxy('two', [first, second])]);
    return {
      coordinators: coordinators.map((c) => c.c),
      workers: workers.map((w) => w.w),
      doors: {
        direct: { url: `http://${first.address}`, proxy: undefined },
        one: { url: `http://127.0.0.1:${one.port}`, proxy: one },
        two: { url: `http://127.0.0.1:${two.port}`, proxy: two },
      },
    };
  });
}

/** The CPU of every process a front door's requests pass through, per answer, by role. */
async function loadWithCpu(b: Bed, door: FrontDoor, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const proxy = b.doors[door].proxy;
  const groups = {
    coordinator: b.coordinators.slice(0, FRONT_DOORS[door].coordinators).map((c) => c.child.pid),
    modelWorkers: b.workers.map((w) => w.child.pid),
    proxy: proxy ? [proxy.child.pid] : [],
  };
  const { result, perAnswer } = await cpuPerAnswer(groups, run);
  if (!perAnswer) return result;
  const { coordinator, modelWorkers, proxy: proxyMs } = perAnswer;
  return { ...result, cpuMsPerRequest: { coordinator, modelWorkers, processors: 0, ...(proxy ? { proxy: proxyMs } : {}) }, cpuMsPerAnswer: coordinator + modelWorkers + proxyMs };
}

/**
 * Under load through HAProxy to two coordinators, the second is SIGKILLed halfway through the step. HAProxy
 * retries what was in flight on the first (`retry-on all-retryable-errors`); the figures are the failed
 * answers, the time from the kill to the last one, and the longest request.
 */
async function failover(ctx: BenchContext, b: Bed, model: BaselineModel, load: (url: string, connections: number, durationS: number, onAnswer?: OnAnswer) => Promise<LoadResult>): Promise<void> {
  const victim = b.coordinators[1] as ManagedProcess;
  const tag = { model, door: 'two' as const, failover: true };
  await ctx.measure({ scenario: SCENARIO, series: SERIES.frontDoor(tag), connections: FAILOVER_CONNECTIONS, frontDoor: tag }, async (onAnswer) => {
    let killedAt: number | undefined;
    let lastFailure: number | undefined;
    const killedAtS = ctx.durationS / 2;
    const timer = setTimeout(() => {
      killedAt = performance.now();
      victim.child.kill('SIGKILL');
    }, killedAtS * 1000);
    const result = await load(b.doors.two.url, FAILOVER_CONNECTIONS, ctx.durationS, (ok) => {
      if (!ok && killedAt !== undefined) lastFailure = performance.now();
      onAnswer(ok);
    });
    clearTimeout(timer);
    return {
      ...result,
      failover: {
        killedAtS, failed: result.errors, maxLatencyMs: result.latency.max,
        ...(lastFailure !== undefined && killedAt !== undefined ? { lastFailureAfterKillMs: lastFailure - killedAt } : {}),
      },
    };
  });
}

/**
 * Issue #19's figures for many coordinators behind HAProxy: on each MLP (distinct inputs, cache off), the
 * same two worker processes reached straight through one coordinator (the baseline), through HAProxy to
 * that coordinator, and through HAProxy to two; the three take turns at each step. Each step reads the CPU
 * of every process on the path (coordinators summed, workers, HAProxy). Last, a coordinator is SIGKILLed
 * under load through HAProxy.
 */
export const haproxyScenario: Scenario = {
  id: 'haproxy',
  name: 'HAProxy in front of one and two coordinators',
  async prepare(ctx) {
    const haproxy = findHaproxy();
    return haproxy ? Promise.all(MODELS.map((m) => bed(ctx, m, haproxy))) : undefined;
  },
  async run(ctx) {
    const haproxy = findHaproxy();
    if (!haproxy) {
      ctx.skip(SCENARIO, 'haproxy not installed: scenario skipped (apt-get install -y haproxy)');
      return;
    }
    const bodies = mlpHttpBodies(DISTINCT_INPUTS);
    const load = (url: string, connections: number, durationS: number, onAnswer?: OnAnswer): Promise<LoadResult> =>
      runAutocannon({ url: `${url}/v2/models/mlp/infer`, bodies, rotation: 'shared', connections, durationS, ...(onAnswer ? { onAnswer } : {}) });
    for (const model of MODELS) {
      const b = await bed(ctx, model, haproxy);
      for (const door of DOORS) await warmUp({ url: `${b.doors[door].url}/v2/models/mlp/infer`, bodies, rotation: 'shared' });
      for (const connections of levelsFor(ctx, [1, 16, 64])) {
        for (const door of DOORS) {
          const tag = { model, door };
          await ctx.measure({ scenario: SCENARIO, series: SERIES.frontDoor(tag), connections, frontDoor: tag }, (onAnswer) =>
            loadWithCpu(b, door, () => load(b.doors[door].url, connections, ctx.durationS, onAnswer)),
          );
        }
      }
      await failover(ctx, b, model, load);
    }
  },
};
