import { warmUp } from '../load/warm-up.js';
import { requireWrk, runWrk } from '../load/wrk-run.js';
import { runWebSocketLoad } from '../load/websocket-loop.js';
import { noopHttpRequest } from '../payloads.js';
import { levelsFor, SERIES, type Scenario } from './scenario.js';

/**
 * The same noop through the coordinator: its overhead is the ratio to the floor. HTTP is driven by wrk
 * (as the nginx peer it is compared with), after the warm-up plain-server uses; the WebSocket steps by
 * the bench's own client, which has no other.
 */
export const coordinatorNoopScenario: Scenario = {
  id: 'coordinator-noop',
  name: 'coordinator noop',
  requireTools: () => requireWrk(),
  prepare: (ctx) => ctx.cluster(),
  async run(ctx) {
    const cluster = await ctx.cluster();
    const url = `${cluster.url}/v2/models/noop/infer`;
    const bodies = [JSON.stringify(noopHttpRequest)];
    await warmUp({ url, bodies }, 'wrk');
    for (const connections of ctx.levels) {
      await ctx.measure({ scenario: 'coordinator noop', series: SERIES.coordinatorHttp, connections }, () =>
        runWrk({ url, bodies, connections, durationS: ctx.durationS }),
      );
    }
    for (const connections of levelsFor(ctx, [16])) {
      await ctx.measure({ scenario: 'coordinator noop', series: SERIES.coordinatorWs, connections }, (onAnswer) =>
        runWebSocketLoad({ url: cluster.wsUrl, model: 'noop', request: noopHttpRequest, concurrency: connections, durationS: ctx.durationS, onAnswer }),
      );
    }
  },
};
