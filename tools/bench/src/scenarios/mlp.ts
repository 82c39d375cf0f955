import { warmUp } from '../load/warm-up.js';
import { requireWrk, runWrk } from '../load/wrk-run.js';
import { mlpHttpBodies } from '../payloads.js';
import { levelsFor, SERIES, type BenchContext, type Scenario } from './scenario.js';

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
 * The bench's heavy MLP (64→1024→1024→16, `ctx.repository`) through the coordinator at rising
 * concurrency, on one worker process, with the coordinator's dynamic batching off (every request its own
 * worker call) and on (the default), the two taking turns at each level.
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
  },
};
