import { runAutocannon } from '../load/autocannon-run.js';
import { runWebSocketLoad } from '../load/websocket-loop.js';
import { noopHttpRequest } from '../payloads.js';
import { levelsFor, SERIES, type Scenario } from './scenario.js';

/** The same noop through the coordinator: its overhead is the ratio to the floor. */
export const coordinatorNoopScenario: Scenario = {
  id: 'coordinator-noop',
  name: 'coordinator noop',
  prepare: (ctx) => ctx.cluster(),
  async run(ctx) {
    const cluster = await ctx.cluster();
    const body = JSON.stringify(noopHttpRequest);
    for (const connections of ctx.levels) {
      await ctx.measure({ scenario: 'coordinator noop', series: SERIES.coordinatorHttp, connections }, (onAnswer) =>
        runAutocannon({ url: `${cluster.url}/v2/models/noop/infer`, bodies: [body], connections, durationS: ctx.durationS, onAnswer }),
      );
    }
    for (const connections of levelsFor(ctx, [16])) {
      await ctx.measure({ scenario: 'coordinator noop', series: SERIES.coordinatorWs, connections }, (onAnswer) =>
        runWebSocketLoad({ url: cluster.wsUrl, model: 'noop', request: noopHttpRequest, concurrency: connections, durationS: ctx.durationS, onAnswer }),
      );
    }
  },
};
