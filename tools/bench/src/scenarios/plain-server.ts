import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnApp } from '@infermesh/launcher';
import { warmUp } from '../load/warm-up.js';
import type { LoadResult } from '../load/load-result.js';
import { cpuPerAnswer, processTree } from '../load/process-cpu.js';
import { requireWrk, runWrk } from '../load/wrk-run.js';
import { mlpHttpBodies } from '../payloads.js';
import { PEERS, type PeerEngine } from '../peers/index.js';
import { layoutCluster, modelFiles } from './baseline-models.js';
import { INFERMESH_LAYOUTS, type InfermeshLayout } from './infermesh-layouts.js';
import { BASELINE_MODELS, levelsFor, SERIES, type BaselineModel, type BaselineTag, type BenchContext, type Scenario } from './scenario.js';

const SCENARIO = 'plain-server';
/** Distinct inputs in one turn shared by every connection: no two requests in flight are the same. */
const DISTINCT_INPUTS = 1024;
const MODELS = Object.keys(BASELINE_MODELS) as BaselineModel[];
const PLAIN_SERVER_ENTRY = fileURLToPath(new URL('../upstream/plain-server-main.ts', import.meta.url));

/** One system under load: where it answers, and the processes whose CPU it spends, by role. */
interface Target {
  tag: BaselineTag;
  url: string;
  /** Read at each step: a peer's process tree may change while it runs. */
  cpuGroups(): Record<string, Array<number | undefined>>;
}

function plainServer(ctx: BenchContext, model: BaselineModel): Promise<Target> {
  return ctx.resource(`plain-server:plain:${model}`, async () => {
    const { onnxPath } = await modelFiles(ctx, model);
    const server = spawnApp({ name: `plain server ${model}`, entry: PLAIN_SERVER_ENTRY, args: [onnxPath, '0'] });
    ctx.cleanup.track(server.child);
    ctx.cleanup.add(`plain server ${model}`, () => server.stop());
    const { port } = await server.waitFor('plain server listening', { timeoutMs: 60_000 });
    return { tag: { model, system: { kind: 'plain' } }, url: `http://127.0.0.1:${port}`, cpuGroups: () => ({ server: [server.child.pid] }) };
  });
}

async function infermesh(ctx: BenchContext, model: BaselineModel, layout: InfermeshLayout): Promise<Target | string> {
  const cluster = await layoutCluster(ctx, model, layout);
  if (typeof cluster === 'string') return cluster;
  return {
    tag: { model, system: { kind: 'infermesh', layout: layout.name } },
    url: cluster.url,
    cpuGroups: () => ({
      // With --processes, the primary and the processes it forked.
      coordinator: processTree(cluster.coordinator.child.pid),
      modelWorkers: cluster.workers.map((w) => w.child.pid),
      processors: cluster.processors.map((p) => p.child.pid),
    }),
  };
}

/** Which peers are installed, probed once. */
function peerAvailability(ctx: BenchContext): Promise<Array<{ peer: PeerEngine; missing: string | undefined }>> {
  return ctx.resource('plain-server:peers', async () => PEERS.map((peer) => ({ peer, missing: peer.missing() })));
}

function peer(ctx: BenchContext, model: BaselineModel, engine: PeerEngine): Promise<Target> {
  return ctx.resource(`plain-server:peer:${engine.name}:${model}`, async () => {
    const files = await modelFiles(ctx, model);
    const running = await engine.start({
      onnxPath: files.onnxPath,
      dims: BASELINE_MODELS[model].dims,
      maxBatchSize: files.maxBatchSize,
      maxDelayMs: files.maxDelayMs,
      dir: join(ctx.tempDir, `peer-${PEERS.indexOf(engine)}-${model}`),
      probeBody: mlpHttpBodies(1)[0] as string,
    });
    ctx.cleanup.track(running.child);
    ctx.cleanup.add(`${engine.name} ${model}`, () => running.stop());
    return { tag: { model, system: { kind: 'peer', peer: engine.name } }, url: running.url, cpuGroups: () => ({ peer: processTree(running.child.pid) }) };
  });
}

/**
 * Every system for one model, started in parallel (through `ctx.resource`, so `prepare` and `run` share
 * them). With `report`, each that cannot run is reported with its reason rather than dropped: a layout the
 * coordinator refuses, a peer that failed to start, a peer not installed (once, with the first model).
 */
async function targetsFor(ctx: BenchContext, model: BaselineModel, report: boolean): Promise<Target[]> {
  const peers = await peerAvailability(ctx);
  const others = [
    ...INFERMESH_LAYOUTS.map((layout) => ({ what: `infermesh, ${layout.name}`, start: infermesh(ctx, model, layout) })),
    ...peers.filter((p) => !p.missing).map((p) => ({ what: p.peer.name, start: peer(ctx, model, p.peer) })),
  ];
  const [plain, ...settled] = await Promise.allSettled([plainServer(ctx, model), ...others.map((o) => o.start)]);
  if (plain?.status === 'rejected') throw plain.reason;
  const targets = [plain!.value as Target];
  settled.forEach((r, i) => {
    const why = r.status === 'rejected' ? `FAILED to start: ${r.reason instanceof Error ? r.reason.message.split('\n').slice(0, 4).join(' / ') : String(r.reason)}` : r.value;
    if (typeof why !== 'string') targets.push(why);
    else if (report) ctx.skip(`plain-server: ${others[i]?.what} (${BASELINE_MODELS[model].label})`, why);
  });
  if (report && model === MODELS[0]) for (const p of peers) if (p.missing) ctx.skip(p.peer.product, p.missing);
  return targets;
}

/** A load step with the CPU per answer of the system's processes; by role for an infermesh cluster. */
async function loadWithCpu(target: Target, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const { result, perAnswer } = await cpuPerAnswer(target.cpuGroups(), run);
  if (!perAnswer) return result;
  const total = Object.values(perAnswer).reduce((a, b) => a + b, 0);
  const { coordinator, modelWorkers, processors } = perAnswer;
  const byRole = coordinator !== undefined && modelWorkers !== undefined && processors !== undefined ? { cpuMsPerRequest: { coordinator, modelWorkers, processors } } : {};
  return { ...result, ...byRole, cpuMsPerAnswer: total };
}

/**
 * The engine against the server a user would write instead (issue #18): a plain node:http server calling
 * onnxruntime-node per request, infermesh in each of `INFERMESH_LAYOUTS`, and the peer engines that are
 * installed, on the demo MLP and on the heavy one, with distinct inputs and the response cache off. The
 * systems take turns at each step, a few rounds over, so their ratios compare neighbouring seconds. wrk drives them (and
 * warms them): autocannon's JavaScript took one of the machine's two cores at 7–8k req/s, starving any
 * system that uses more than one, and issue #18 is checked with a load generator this project did not write.
 */
export const plainServerScenario: Scenario = {
  id: 'plain-server',
  name: 'plain server and peers',
  requireTools: () => requireWrk(),
  prepare: (ctx) => Promise.all(MODELS.map((m) => targetsFor(ctx, m, false))),
  async run(ctx) {
    const bodies = mlpHttpBodies(DISTINCT_INPUTS);
    const load = (target: Target, connections: number, durationS: number) => runWrk({ url: `${target.url}/v2/models/mlp/infer`, bodies, rotation: 'shared', connections, durationS });
    for (const model of MODELS) {
      const targets = await targetsFor(ctx, model, true);
      for (const target of targets) await warmUp({ url: `${target.url}/v2/models/mlp/infer`, bodies, rotation: 'shared' }, 'wrk');
      for (const connections of levelsFor(ctx, [1, 16, 64])) {
        await ctx.measureInTurns(
          targets.map((target) => ({
            step: { scenario: SCENARIO, series: SERIES.baseline(target.tag), connections, baseline: target.tag },
            run: (_onAnswer, roundS) => loadWithCpu(target, () => load(target, connections, roundS)),
          })),
        );
      }
    }
  },
};
