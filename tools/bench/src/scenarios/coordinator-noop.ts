import { warmUp } from '../load/warm-up.js';
import { requireWrk, runWrk } from '../load/wrk-run.js';
import { runWebSocketLoad } from '../load/websocket-loop.js';
import { noopHttpRequest } from '../payloads.js';
import { levelsFor, SERIES, type BenchContext, type ClusterStart, type Scenario } from './scenario.js';

/** The noop as `npm start` serves it on two cores: inline on the HTTP thread of 2 coordinator processes. */
function npmStartCluster(ctx: BenchContext): Promise<ClusterStart> {
  return ctx.startCluster({
    name: 'noop inline ×2', workers: 0, processes: 2, coordinatorArgs: ['--embedded-repository', ctx.repository, '--embedded-inline-model', 'noop'],
  });
}

/**
 * The same noop through the coordinator: its overhead is the ratio to the floor (the shared cluster, one
 * worker process), and, served as `npm start` serves it (inline, 2 processes), the ratio to nginx in
 * front of a node server. HTTP is driven by wrk (as the nginx peer), after the warm-up plain-server uses;
 * the WebSocket steps by the bench's own client, which has no other.
 */
export const coordinatorNoopScenario: Scenario = {
  id: 'coordinator-noop',
  name: 'coordinator noop',
  requireTools: () => requireWrk(),
  prepare: (ctx) => Promise.all([ctx.cluster(), npmStartCluster(ctx)]),
  async run(ctx) {
    const cluster = await ctx.cluster();
    const bodies = [JSON.stringify(noopHttpRequest)];
    const npmStart = await npmStartCluster(ctx);
    if (!npmStart.ok) ctx.skip('noop inline ×2', npmStart.reason);
    const systems = [
      { series: SERIES.coordinatorHttp, url: `${cluster.url}/v2/models/noop/infer` },
      ...(npmStart.ok ? [{ series: SERIES.coordinatorHttpNpmStart, url: `${npmStart.cluster.url}/v2/models/noop/infer` }] : []),
    ];
    for (const { url } of systems) await warmUp({ url, bodies }, 'wrk');
    for (const connections of ctx.levels) {
      for (const { series, url } of systems) {
        await ctx.measure({ scenario: 'coordinator noop', series, connections }, () => runWrk({ url, bodies, connections, durationS: ctx.durationS }));
      }
    }
    for (const connections of levelsFor(ctx, [16])) {
      await ctx.measure({ scenario: 'coordinator noop', series: SERIES.coordinatorWs, connections }, (onAnswer) =>
        runWebSocketLoad({ url: cluster.wsUrl, model: 'noop', request: noopHttpRequest, concurrency: connections, durationS: ctx.durationS, onAnswer }),
      );
    }
  },
};
