import { appEntry, spawnApp } from '@infermesh/launcher';
import { BENCH_APP_ENTRIES } from '../bench-context.js';
import { runTransportLoad } from '../load/transport-loop.js';
import { noopWorkerRequest } from '../payloads.js';
import { SERIES, type BenchContext, type Scenario } from './scenario.js';

/**
 * The floor: the noop model on a worker called directly over the transport, no coordinator. Every
 * other figure is read as a ratio to this one at the same number of calls in flight.
 */
function floorWorker(ctx: BenchContext): Promise<{ url: string; stop: () => Promise<unknown> }> {
  return ctx.resource('floor-worker', async () => {
    const worker = spawnApp({
      name: 'floor-worker',
      entry: appEntry('worker', BENCH_APP_ENTRIES),
      args: ['--id', 'floor-worker', '--port', '0', '--insecure-coordinators', '--repository', ctx.repository, '--model', 'noop'],
    });
    ctx.cleanup.track(worker.child);
    ctx.cleanup.add('floor worker', () => worker.stop());
    const { port } = await worker.waitFor('worker listening', { timeoutMs: 60_000 });
    return { url: `ws://127.0.0.1:${port}`, stop: () => worker.stop() };
  });
}

export const floorScenario: Scenario = {
  id: 'floor',
  name: 'floor',
  prepare: floorWorker,
  async run(ctx) {
    const { url, stop } = await floorWorker(ctx);
    for (const connections of ctx.levels) {
      await ctx.measure({ scenario: 'floor', series: SERIES.floor, connections }, (onAnswer) =>
        runTransportLoad({ url, request: noopWorkerRequest, concurrency: connections, durationS: ctx.durationS, onAnswer }),
      );
    }
    await stop();
  },
};
