import { modelVersionKey, type WorkerErrorCode, type WorkerInfo, type WorkerProtocol, type WorkerRole } from '@infermesh/contracts';
import type { Handlers } from '@infermesh/transport';
import type { BatchTelemetry } from './batch-telemetry.js';
import type { ModelHost } from './model-host.js';

/** Too many batches at once: the worker refuses rather than queue without bound (a fault: the coordinator tries another worker). */
export class WorkerBusyError extends Error {
  readonly code: WorkerErrorCode = 'IM_WORKER_BUSY';
}

export interface WorkerServiceOptions {
  /** The worker's name in the coordinator's status and logs. */
  id: string;
  role: WorkerRole;
  /** Batches it runs at once; the coordinator keeps no more in flight. Twice this many are refused as busy. */
  maxConcurrency: number;
  /** Shards held of every sharded model; empty: all of them. */
  shards: readonly number[];
  /** Reported in `describe`; the thread's process for an embedded worker. */
  pid?: number;
}

/**
 * The worker protocol's two methods over a loaded ModelHost: `describe` (what it serves) and `infer`
 * (one batch, with telemetry, refused as busy past twice its concurrency). The same service answers
 * on a worker process's WebSocket and on an embedded worker thread's port.
 */
export class WorkerService {
  readonly info: WorkerInfo;
  readonly handlers: Handlers<WorkerProtocol>;
  #inFlight = 0;

  constructor(host: ModelHost, telemetry: BatchTelemetry, options: WorkerServiceOptions) {
    const { id, role, maxConcurrency, shards } = options;
    this.info = {
      workerId: id,
      pid: options.pid ?? process.pid,
      maxConcurrency,
      models: host.specs,
      role,
      stages: host.stages,
      shards: Object.fromEntries(
        shards.length === 0 || role === 'processor'
          ? []
          : host.specs.filter((s) => s.shards > 1).map((s) => [modelVersionKey(s), shards.filter((n) => n < s.shards)]),
      ),
    };
    this.handlers = {
      describe: () => this.info,
      infer: async (request, { signal }) => {
        if (this.#inFlight >= maxConcurrency * 2) throw new WorkerBusyError(`worker ${id} has ${this.#inFlight} batches in flight`);
        this.#inFlight++;
        try {
          return await telemetry.run(request, (stages) => host.infer(request, signal, stages));
        } finally {
          this.#inFlight--;
        }
      },
    };
  }

  /** Batches running now. */
  get inFlight(): number {
    return this.#inFlight;
  }
}
