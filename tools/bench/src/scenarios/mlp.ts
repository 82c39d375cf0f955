import { runAutocannon } from '../load/autocannon-run.js';
import { mlpHttpBodies } from '../payloads.js';
import { levelsFor, SERIES, type BenchContext, type Scenario } from './scenario.js';

/** Distinct inputs cycled by each connection, so a response cache could not answer them. */
const DISTINCT_INPUTS = 64;

export async function measureMlp(ctx: BenchContext, url: string, series: typeof SERIES.mlp | typeof SERIES.mlpBatching | typeof SERIES.mlpTwoWorkers, levels: readonly number[], scenario: string): Promise<void> {
  const bodies = mlpHttpBodies(DISTINCT_INPUTS);
  for (const connections of levels) {
    await ctx.measure({ scenario, series, connections }, (onAnswer) =>
      runAutocannon({ url: `${url}/v2/models/mlp/infer`, bodies, connections, durationS: ctx.durationS, onAnswer }),
    );
  }
}

/**
 * The demo MLP through the coordinator at rising concurrency, batching as the coordinator has it by
 * default ("off" today), then again on a coordinator started with the batching flags.
 */
export const mlpScenario: Scenario = {
  name: 'mlp',
  prepare: (ctx) => Promise.all([ctx.cluster(), ctx.startCluster({ name: 'mlp batching on', workers: 1, coordinatorArgs: ctx.coordinatorArgs.batching })]),
  async run(ctx) {
    const levels = levelsFor(ctx, [1, 16, 64]);
    const cluster = await ctx.cluster();
    await measureMlp(ctx, cluster.url, SERIES.mlp, levels, 'mlp');

    // TODO(batching): the coordinator's batcher is being added; `--batching-args` (default in
    // cli-options.ts) are the flags that turn it on. Until the coordinator accepts them, this is skipped.
    const started = await ctx.startCluster({ name: 'mlp batching on', workers: 1, coordinatorArgs: ctx.coordinatorArgs.batching });
    if (!started.ok) {
      ctx.skip('mlp batching on', started.reason);
      return;
    }
    try {
      await measureMlp(ctx, started.cluster.url, SERIES.mlpBatching, levels, 'mlp batching on');
    } finally {
      await started.cluster.stop();
    }
  },
};
