import { workerProtocol } from '@infermesh/contracts';
import { loadModelRepository } from '@infermesh/registry';
import { JsRuntime, OnnxRuntime } from '@infermesh/runtime';
import { createTracing } from '@infermesh/telemetry';
import { connectPort, type LocalPort } from '@infermesh/transport';
import type { MessagePort } from 'node:worker_threads';
import { BatchTelemetry } from './batch-telemetry.js';
import { ModelHost } from './model-host.js';
import type { ParsedHostThreadOptions } from './thread-options.js';
import { WorkerService } from './worker-service.js';

/**
 * What an embedded worker is, wherever it runs (on a thread of its own, or inline on the caller's):
 * the repository's models in a ModelHost, served as the worker protocol on `port`. Resolves once the
 * models are loaded and the port answers; the host closes when the port's peer closes. Rejects with the
 * loader's error.
 */
export async function serveHost(
  o: ParsedHostThreadOptions, port: MessagePort | LocalPort, onClosed: () => void, uncheckedCalls: readonly string[] = [],
): Promise<void> {
  const repository = await loadModelRepository(o.repository, o.models.length ? { models: o.models } : {});
  const runtimes = { onnx: new OnnxRuntime({ intraOpNumThreads: o.intraOpThreads, interOpNumThreads: o.interOpThreads }), js: new JsRuntime() };
  const host = await ModelHost.load(repository, runtimes, { role: o.role });
  // It exports its own spans, as a worker process does (the OTEL_* variables are the process's).
  const tracing = createTracing({ serviceName: 'infermesh-worker', store: false });
  try {
    // No worker metric set: nothing would read it (the coordinator's /metrics is its own registry, and
    // records each request's batch size and stage times itself); it cost five observations per batch, and
    // its default collectors an event-loop-delay monitor and a GC observer per embedded worker.
    const service = await WorkerService.create(host, new BatchTelemetry(tracing.tracer, undefined, o.id), {
      id: o.id, role: o.role, maxConcurrency: o.maxConcurrency, shards: [], repository: { folder: o.repository, models: o.models },
    });
    const peer = connectPort(port, { protocol: workerProtocol, handlers: service.handlers, id: o.id, uncheckedCalls: [...uncheckedCalls] });
    peer.once('close', () => void Promise.allSettled([host.close(), tracing.shutdown()]).finally(onClosed));
  } catch (error) {
    await Promise.allSettled([host.close(), tracing.shutdown()]);
    throw error;
  }
}
