import { workerProtocol, type WorkerProtocol } from '@infermesh/contracts';
import { startHostThread, type HostThread } from '@infermesh/host';
import { connectPort, type Handlers, type Peer } from '@infermesh/transport';
import type { CoordinatorConfig } from './config.js';

/**
 * Starts the configured workers on threads of this process and hands each one's peer to `admit`, as a
 * dialled or dialling worker's would be: from there on they are endpoints like any other. Resolves
 * with the function that stops them.
 */
export async function startEmbeddedWorkers(
  config: CoordinatorConfig['embedded'], handlers: Handlers<WorkerProtocol>, admit: (peer: Peer<WorkerProtocol>) => void,
): Promise<() => Promise<void>> {
  const started = await Promise.allSettled(
    Array.from({ length: config.workers }, (_, i) =>
      startHostThread({
        id: `embedded-${i + 1}`, repository: config.repository, models: config.models,
        maxConcurrency: config.maxConcurrency, intraOpThreads: config.intraOpThreads,
      }),
    ),
  );
  const threads: HostThread[] = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(threads.map((t) => t.stop()));
    throw failed.reason;
  }
  const peers = threads.map((t) => connectPort(t.port, { protocol: workerProtocol, handlers, id: t.id }));
  for (const peer of peers) admit(peer);
  return async () => {
    await Promise.allSettled(peers.map((p) => p.close(1001, 'coordinator stopping')));
    await Promise.allSettled(threads.map((t) => t.stop()));
  };
}
