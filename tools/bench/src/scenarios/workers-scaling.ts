import { measureMlp } from './mlp.js';
import { requireWrk } from '../load/wrk-run.js';
import { levelsFor, SERIES, type Scenario } from './scenario.js';

/**
 * The mlp scenario again after a second worker joined the shared cluster: the ratio to the 1-worker
 * series at the same connections. It changes the shared cluster, so it runs last.
 */
export const workersScalingScenario: Scenario = {
  id: 'workers-scaling',
  name: 'one worker vs two',
  requireTools: () => requireWrk(),
  prepare: (ctx) => ctx.cluster(),
  async run(ctx) {
    const cluster = await ctx.cluster();
    await cluster.addWorker();
    await measureMlp(ctx, [{ url: cluster.url, series: SERIES.mlpTwoWorkers, scenario: 'one worker vs two' }], levelsFor(ctx, [64]));
  },
};
