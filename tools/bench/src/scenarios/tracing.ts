import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from '@infermesh/launcher';
import { runAutocannon } from '../load/autocannon-run.js';
import { warmUp } from '../load/warm-up.js';
import type { LoadResult } from '../load/load-result.js';
import { cpuPerAnswer } from '../load/process-cpu.js';
import { mlpHttpBodies } from '../payloads.js';
import { levelsFor, SERIES, TRACE_SAMPLING, type BenchContext, type Scenario, type TraceSampling } from './scenario.js';

const SCENARIO = 'tracing';
/** Distinct inputs in one turn shared by every connection. */
const DISTINCT_INPUTS = 1024;

/**
 * An OTLP/HTTP endpoint that takes every export and drops it: the clusters pay for building and
 * sending their spans, as they would to a collector; the bench process's own CPU is not counted.
 */
function otlpSink(ctx: BenchContext): Promise<{ url: string; requests: () => number }> {
  return ctx.resource('tracing:otlp-sink', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ctx.cleanup.add('otlp sink', () => new Promise<void>((resolve) => server.close(() => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
  });
}

/** A cluster (one worker) whose coordinator and worker sample root traces at `sampling` and export them. */
async function tracedCluster(ctx: BenchContext, sampling: TraceSampling): Promise<Cluster | string> {
  const sink = await otlpSink(ctx);
  const started = await ctx.startCluster({
    name: `tracing-${sampling}`, workers: 1, coordinatorArgs: [],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(sampling),
    },
  });
  return started.ok ? started.cluster : started.reason;
}

/**
 * Per-request CPU of tracing (issue #20): the same MLP load on three clusters that differ only in the
 * share of requests whose traces are sampled and exported over OTLP/HTTP protobuf (0, 1 %, 100 %).
 * The CPU ms per answer of the coordinator and of the worker show what a sampled span costs, and that
 * an unsampled request pays (almost) nothing. The clusters take turns at each step.
 */
export const tracingScenario: Scenario = {
  id: 'tracing',
  name: 'tracing sampled at 0, 1 % and 100 %',
  prepare: (ctx) => Promise.all(TRACE_SAMPLING.map((s) => tracedCluster(ctx, s))),
  async run(ctx) {
    const bodies = mlpHttpBodies(DISTINCT_INPUTS);
    const clusters: Array<{ sampling: TraceSampling; cluster: Cluster }> = [];
    for (const sampling of TRACE_SAMPLING) {
      const cluster = await tracedCluster(ctx, sampling);
      if (typeof cluster === 'string') ctx.skip(`${SCENARIO} ${sampling}`, cluster);
      else clusters.push({ sampling, cluster });
    }
    const load = (cluster: Cluster, connections: number, durationS: number, onAnswer?: (ok: boolean) => void): Promise<LoadResult> =>
      runAutocannon({ url: `${cluster.url}/v2/models/mlp/infer`, bodies, rotation: 'shared', connections, durationS, ...(onAnswer ? { onAnswer } : {}) });
    for (const { cluster } of clusters) await warmUp({ url: `${cluster.url}/v2/models/mlp/infer`, bodies, rotation: 'shared' });
    for (const connections of levelsFor(ctx, [16])) {
      for (const { sampling, cluster } of clusters) {
        await ctx.measure({ scenario: SCENARIO, series: SERIES.tracing({ sampling }), connections, tracing: { sampling } }, async (onAnswer) => {
          const groups = { coordinator: [cluster.coordinator.child.pid], modelWorkers: cluster.workers.map((w) => w.child.pid) };
          const { result, perAnswer } = await cpuPerAnswer(groups, () => load(cluster, connections, ctx.durationS, onAnswer));
          if (!perAnswer) return result;
          const { coordinator, modelWorkers } = perAnswer;
          return { ...result, cpuMsPerRequest: { coordinator, modelWorkers, processors: 0 }, cpuMsPerAnswer: coordinator + modelWorkers };
        });
      }
    }
  },
};
