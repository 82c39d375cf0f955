import { openRuntimeModel, runRuntimeLoop } from '../load/runtime-loop.js';
import { warmUp } from '../load/warm-up.js';
import { requireWrk, runWrk } from '../load/wrk-run.js';
import { mlpHttpBodies, mlpRow } from '../payloads.js';
import { modelFiles } from './baseline-models.js';
import { levelsFor, RUNTIME_BATCH, SERIES, type BenchContext, type Scenario } from './scenario.js';

/**
 * Distinct inputs, taken in turn by all connections together (`rotation: 'shared'`): no two requests in
 * flight are identical, so neither a response cache nor the batcher's coalescing of identical requests
 * flatters the figures — batching is measured alone.
 */
const DISTINCT_INPUTS = 1024;

/** One coordinator the mlp scenarios load: where it answers, and the series and scenario its steps go to. */
export interface MlpTarget {
  url: string;
  series: typeof SERIES.mlp | typeof SERIES.mlpBatching | typeof SERIES.mlpTwoWorkers;
  scenario: string;
}

/**
 * The heavy MLP at `levels` connections on each target, driven and warmed by wrk (as plain-server:
 * autocannon shared the cores); at each level the targets take turns, a few rounds over (`measureInTurns`), and
 * each figure is the median of its rounds.
 */
export async function measureMlp(ctx: BenchContext, targets: readonly MlpTarget[], levels: readonly number[]): Promise<void> {
  const bodies = mlpHttpBodies(DISTINCT_INPUTS);
  const load = (t: MlpTarget) => ({ url: `${t.url}/v2/models/mlp/infer`, bodies, rotation: 'shared' as const });
  for (const t of targets) await warmUp(load(t), 'wrk');
  for (const connections of levels) {
    await ctx.measureInTurns(
      targets.map((t) => ({ step: { scenario: t.scenario, series: t.series, connections }, run: (_onAnswer, durationS) => runWrk({ ...load(t), connections, durationS }) })),
    );
  }
}

/**
 * The heavy MLP in ONNX Runtime alone (the worker's session options, no engine), one row per run and
 * `RUNTIME_BATCH` rows per run taking turns: what batching gains the runtime itself on this CPU, so the
 * engine's batching on / off reads against it. Runs in the bench's own process, the clusters idle.
 */
async function measureRuntimeAlone(ctx: BenchContext): Promise<void> {
  const { onnxPath } = await modelFiles(ctx, 'heavy');
  const model = await openRuntimeModel(onnxPath);
  try {
    const rows = Array.from({ length: 4 * RUNTIME_BATCH }, (_, i) => mlpRow(i));
    const series = [[SERIES.runtimeSingle, 1], [SERIES.runtimeBatched, RUNTIME_BATCH]] as const;
    // Warm: the first runs of a session allocate its buffers.
    for (const [, batch] of series) await runRuntimeLoop(model, { batch, rows, durationS: 1 });
    await ctx.measureInTurns(
      series.map(([s, batch]) => ({ step: { scenario: 'mlp runtime alone', series: s, connections: 1 }, run: (_onAnswer, durationS) => runRuntimeLoop(model, { batch, rows, durationS }) })),
    );
  } finally {
    await model.session.release();
  }
}

/**
 * The bench's heavy MLP (64→1024→1024→16, `ctx.repository`) through the coordinator at rising
 * concurrency, on one worker process, with the coordinator's dynamic batching off (every request its own
 * worker call) and on (the default), the two taking turns at each level; then the model in ONNX Runtime
 * alone at 1 and `RUNTIME_BATCH` rows per run: what batching gains the runtime itself.
 */
export const mlpScenario: Scenario = {
  id: 'mlp',
  name: 'mlp',
  requireTools: () => requireWrk(),
  prepare: (ctx) =>
    Promise.all([
      ctx.startCluster({ name: 'mlp batching off', workers: 1, coordinatorArgs: ['--batching', 'off'] }),
      ctx.startCluster({ name: 'mlp batching on', workers: 1, coordinatorArgs: ctx.coordinatorArgs.batching }),
    ]),
  async run(ctx) {
    const targets: MlpTarget[] = [];
    for (const [name, series, args] of [
      ['mlp batching off', SERIES.mlp, ['--batching', 'off']],
      ['mlp batching on', SERIES.mlpBatching, ctx.coordinatorArgs.batching],
    ] as const) {
      const started = await ctx.startCluster({ name, workers: 1, coordinatorArgs: args });
      if (started.ok) targets.push({ url: started.cluster.url, series, scenario: name });
      else ctx.skip(name, started.reason);
    }
    // Off and on take turns at each level: their ratio compares neighbouring seconds.
    if (targets.length > 0) await measureMlp(ctx, targets, levelsFor(ctx, [1, 16, 64]));
    await measureRuntimeAlone(ctx);
  },
};
