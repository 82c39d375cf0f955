import { workerProtocol } from '@infermesh/contracts';
import { loadModelRepository } from '@infermesh/registry';
import { JsRuntime, OnnxRuntime } from '@infermesh/runtime';
import { createWorkerMetrics, Tracer } from '@infermesh/telemetry';
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
export async function serveHost(o: ParsedHostThreadOptions, port: MessagePort | LocalPort, onClosed: () => void): Promise<void> {
  const repository = await loadModelRepository(o.repository, o.models.length ? { models: o.models } : {});
  const runtimes = { onnx: new OnnxRuntime({ intraOpNumThreads: o.intraOpThreads, interOpNumThreads: o.interOpThreads }), js: new JsRuntime() };
  const host = await ModelHost.load(repository, runtimes, { role: o.role });
  try {
    const service = await WorkerService.create(host, new BatchTelemetry(new Tracer(), createWorkerMetrics()), {
      id: o.id, role: o.role, maxConcurrency: o.maxConcurrency, shards: [], repository: { folder: o.repository, models: o.models },
    });
    const peer = connectPort(port, { protocol: workerProtocol, handlers: service.handlers, id: o.id });
    peer.once('close', () => void host.close().finally(onClosed));
  } catch (error) {
    await host.close();
    throw error;
  }
}
