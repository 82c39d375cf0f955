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

/** The heavy MLP at `levels` connections, driven and warmed by wrk (as plain-server: autocannon shared the cores). */
export async function measureMlp(ctx: BenchContext, url: string, series: typeof SERIES.mlp | typeof SERIES.mlpBatching | typeof SERIES.mlpTwoWorkers, levels: readonly number[], scenario: string): Promise<void> {
  const load = { url: `${url}/v2/models/mlp/infer`, bodies: mlpHttpBodies(DISTINCT_INPUTS), rotation: 'shared' as const };
  await warmUp(load, 'wrk');
  for (const connections of levels) {
    await ctx.measure({ scenario, series, connections }, () => runWrk({ ...load, connections, durationS: ctx.durationS }));
  }
}

/**
 * The bench's heavy MLP (64→1024→1024→16, `ctx.repository`) through the coordinator at rising
 * concurrency, on one worker process, with the coordinator's dynamic batching off (every request its own
 * worker call) and then on (the default).
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
    const levels = levelsFor(ctx, [1, 16, 64]);
    for (const [name, series, args] of [
      ['mlp batching off', SERIES.mlp, ['--batching', 'off']],
      ['mlp batching on', SERIES.mlpBatching, ctx.coordinatorArgs.batching],
    ] as const) {
      const started = await ctx.startCluster({ name, workers: 1, coordinatorArgs: args });
      if (!started.ok) {
        ctx.skip(name, started.reason);
        continue;
      }
      await measureMlp(ctx, started.cluster.url, series, levels, name);
    }
  },
};
