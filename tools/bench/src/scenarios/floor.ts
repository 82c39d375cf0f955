import { APP_ENTRY, spawnApp } from '@infermesh/launcher';
import { runTransportLoad } from '../load/transport-loop.js';
import { noopWorkerRequest } from '../payloads.js';
import { SERIES, type Scenario } from './scenario.js';

/**
 * The floor: the noop model on a worker called directly over the transport, no coordinator. Every
 * other figure is read as a ratio to this one at the same number of calls in flight.
 */
export const floorScenario: Scenario = {
  name: 'floor',
  async run(ctx) {
    const worker = spawnApp({
      name: 'floor-worker',
      entry: APP_ENTRY.worker,
      args: ['--id', 'floor-worker', '--port', '0', '--repository', ctx.repository, '--model', 'noop'],
    });
    ctx.cleanup.track(worker.child);
    ctx.cleanup.add('floor worker', () => worker.stop());
    const { port } = await worker.waitFor('worker listening', { timeoutMs: 60_000 });
    const url = `ws://127.0.0.1:${port}`;
    for (const connections of ctx.levels) {
      await ctx.measure({ scenario: 'floor', series: SERIES.floor, connections }, (onAnswer) =>
        runTransportLoad({ url, request: noopWorkerRequest, concurrency: connections, durationS: ctx.durationS, onAnswer }),
      );
    }
    await worker.stop();
  },
};
