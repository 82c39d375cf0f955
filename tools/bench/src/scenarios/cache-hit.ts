import { runAutocannon } from '../load/autocannon-run.js';
import { mlpHttpBodies } from '../payloads.js';
import { levelsFor, SERIES, type BenchContext, type Scenario } from './scenario.js';

async function measureIdentical(ctx: BenchContext, url: string, series: typeof SERIES.identical | typeof SERIES.identicalCached, scenario: string): Promise<void> {
  const bodies = mlpHttpBodies(1);
  for (const connections of levelsFor(ctx, [16])) {
    await ctx.measure({ scenario, series, connections }, (onAnswer) =>
      runAutocannon({ url: `${url}/v2/models/mlp/infer`, bodies, connections, durationS: ctx.durationS, onAnswer }),
    );
  }
}

/**
 * The same MLP request over and over: with the response cache off every one reaches a worker (the
 * baseline: misses); with it on, repeats are answered by the coordinator (hits).
 */
export const cacheHitScenario: Scenario = {
  id: 'cache-hit',
  name: 'cache-hit traffic',
  prepare: (ctx) => Promise.all([ctx.cluster(), ctx.startCluster({ name: 'cache on', workers: 1, coordinatorArgs: ctx.coordinatorArgs.cache })]),
  async run(ctx) {
    const cluster = await ctx.cluster();
    await measureIdentical(ctx, cluster.url, SERIES.identical, 'cache-hit traffic');

    const started = await ctx.startCluster({ name: 'cache on', workers: 1, coordinatorArgs: ctx.coordinatorArgs.cache });
    if (!started.ok) {
      ctx.skip('cache-hit traffic, cache on', started.reason);
      return;
    }
    try {
      await measureIdentical(ctx, started.cluster.url, SERIES.identicalCached, 'cache-hit traffic, cache on');
    } finally {
      await started.cluster.stop();
    }
  },
};
