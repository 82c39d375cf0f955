/**
 * The entry of an embedded worker thread (started by `startHostThread`): loads the repository's models
 * into a ModelHost and answers the worker protocol on the port its parent handed it.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { workerProtocol } from '@infermesh/contracts';
import { loadModelRepository } from '@infermesh/registry';
import { JsRuntime, OnnxRuntime } from '@infermesh/runtime';
import { createMetrics, createTracing } from '@infermesh/telemetry';
import { connectPort } from '@infermesh/transport';
import { BatchTelemetry } from './batch-telemetry.js';
import { ModelHost } from './model-host.js';
import { HostThreadOptionsSchema, type HostThreadStatus } from './thread-options.js';
import { WorkerService } from './worker-service.js';

async function serve(): Promise<void> {
  const { port, ...rest } = workerData as { port: MessagePort };
  const o = HostThreadOptionsSchema.parse(rest);
  try {
    const repository = await loadModelRepository(o.repository, o.models.length ? { models: o.models } : {});
    const runtimes = { onnx: new OnnxRuntime({ intraOpNumThreads: o.intraOpThreads, interOpNumThreads: o.interOpThreads }), js: new JsRuntime() };
    const host = await ModelHost.load(repository, runtimes, { role: o.role });
    // The thread exports its own spans, as a worker process does (the OTEL_* variables are the process's).
    const tracing = createTracing({ serviceName: 'infermesh-worker', store: false });
    const service = await WorkerService.create(host, new BatchTelemetry(tracing.tracer, createMetrics(), o.id), {
      id: o.id, role: o.role, maxConcurrency: o.maxConcurrency, shards: [], repository: { folder: o.repository, models: o.models },
    });
    const peer = connectPort(port, { protocol: workerProtocol, handlers: service.handlers, id: o.id });
    peer.once('close', () => void Promise.allSettled([host.close(), tracing.shutdown()]).finally(() => process.exit(0)));
    parentPort?.postMessage({ ready: true } satisfies HostThreadStatus);
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    parentPort?.postMessage({ ready: false, code: typeof code === 'string' ? code : undefined, message: error instanceof Error ? error.message : String(error) } satisfies HostThreadStatus);
    port.close();
  }
}

void serve();
