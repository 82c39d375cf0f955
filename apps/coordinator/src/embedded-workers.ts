import { workerProtocol, type WorkerProtocol } from '@infermesh/contracts';
import { startHostThread, startInlineHost, type HostThreadOptions } from '@infermesh/host';
import { repositoryModelNames } from '@infermesh/registry';
import { connectPort, type Handlers, type Peer } from '@infermesh/transport';
import type { CoordinatorConfig } from './config.js';

type EmbeddedConfig = CoordinatorConfig['embedded'];

/** Which embedded workers start, and the models each loads: the inline ones, and the rest on threads. */
export async function embeddedPlan(config: EmbeddedConfig): Promise<{ inline: string[]; threads: number; threadModels: string[] }> {
  const inline = config.inlineModels;
  if (inline.length === 0) return { inline, threads: config.workers, threadModels: config.models };
  const all = config.models.length > 0 ? config.models : await repositoryModelNames(config.repository);
  const threadModels = all.filter((m) => !inline.includes(m));
  // Nothing left for the threads: none start (an empty list would mean every model).
  return { inline, threads: threadModels.length > 0 ? config.workers : 0, threadModels };
}

/**
 * Starts the configured workers in this process — `workers` on threads of their own, and one inline on
 * this thread for `inlineModels` — and hands each one's peer to `admit`, as a dialled or dialling
 * worker's would be: from there on they are endpoints like any other. Their ids start with `idPrefix`
 * (a coordinator of several processes names each process's own). Resolves with the function that stops them.
 */
export async function startEmbeddedWorkers(
  config: EmbeddedConfig, handlers: Handlers<WorkerProtocol>, admit: (peer: Peer<WorkerProtocol>) => void, idPrefix = '',
): Promise<() => Promise<void>> {
  const plan = await embeddedPlan(config);
  const common = { repository: config.repository, maxConcurrency: config.maxConcurrency, intraOpThreads: config.intraOpThreads };
  const starts: Array<Promise<{ id: string; port: Parameters<typeof connectPort>[0]; uncheckedAnswers?: readonly string[]; stop(): Promise<void> }>> = [
    ...Array.from({ length: plan.threads }, (_, i) => startHostThread({ ...common, id: `${idPrefix}embedded-${i + 1}`, models: plan.threadModels } satisfies HostThreadOptions)),
    ...(plan.inline.length > 0 ? [startInlineHost({ ...common, id: `${idPrefix}inline`, models: plan.inline })] : []),
  ];
  const started = await Promise.allSettled(starts);
  const hosts = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(hosts.map((t) => t.stop()));
    throw failed.reason;
  }
  const peers = hosts.map((t) => connectPort(t.port, { protocol: workerProtocol, handlers, id: t.id, uncheckedAnswers: [...(t.uncheckedAnswers ?? [])] }));
  for (const peer of peers) admit(peer);
  return async () => {
    await Promise.allSettled(peers.map((p) => p.close(1001, 'coordinator stopping')));
    await Promise.allSettled(hosts.map((t) => t.stop()));
  };
}
