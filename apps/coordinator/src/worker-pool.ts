import { EventEmitter } from 'node:events';
import type { InferBatchRequest, InferBatchResponse, WorkerInfo, WorkerProtocol } from '@infermesh/contracts';
import type { ModelRegistry } from '@infermesh/registry';
import type { Peer } from '@infermesh/transport';
import { ApiError } from './api-error.js';

interface WorkerEntry {
  peer: Peer<WorkerProtocol>;
  info: WorkerInfo;
  inFlight: number;
  served: number;
  failed: number;
}

export interface WorkerStatus {
  workerId: string;
  address: string | undefined;
  models: string[];
  maxConcurrency: number;
  inFlight: number;
  served: number;
  failed: number;
}

export interface DispatchOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Failures that say the worker, not the request, is at fault: another worker may succeed. */
const WORKER_FAULTS = new Set([
  'IM_TRANSPORT_CLOSED', 'IM_TRANSPORT_NOT_CONNECTED', 'IM_TRANSPORT_BACKPRESSURE', 'IM_TRANSPORT_PROTOCOL', 'IM_WORKER_BUSY',
]);

function faultCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; remoteCode?: unknown };
  const code = typeof e?.remoteCode === 'string' ? e.remoteCode : e?.code;
  return typeof code === 'string' ? code : undefined;
}

const key = (model: string, version: string): string => `${model}:${version}`;

/**
 * The workers connected to this coordinator and the models each serves. A worker is described on
 * connect (whichever side dialled); its models go into the registry. The choice of worker is simple
 * for now: the least busy of those serving the model, round-robin among equals.
 */
export class WorkerPool extends EventEmitter<{ change: [] }> {
  readonly #registry: ModelRegistry;
  readonly #workers = new Map<Peer<WorkerProtocol>, WorkerEntry>();
  #turn = 0;

  constructor(registry: ModelRegistry) {
    super();
    this.#registry = registry;
  }

  /** Describes a newly connected worker and puts it in rotation; refuses one whose models conflict. */
  async add(peer: Peer<WorkerProtocol>, timeoutMs = 10_000): Promise<WorkerInfo> {
    const info = await peer.call('describe', {}, { timeoutMs });
    for (const spec of info.models) this.#registry.register(spec);
    this.#workers.set(peer, { peer, info, inFlight: 0, served: 0, failed: 0 });
    peer.once('close', () => this.remove(peer));
    this.emit('change');
    return info;
  }

  remove(peer: Peer<WorkerProtocol>): void {
    if (this.#workers.delete(peer)) this.emit('change');
  }

  get size(): number {
    return this.#workers.size;
  }

  /** Whether some connected worker serves the model version. */
  serves(model: string, version: string): boolean {
    return this.#candidates(model, version).length > 0;
  }

  status(): WorkerStatus[] {
    return [...this.#workers.values()].map((w) => ({
      workerId: w.info.workerId,
      address: w.peer.remoteAddress,
      models: w.info.models.map((m) => key(m.name, m.version)),
      maxConcurrency: w.info.maxConcurrency,
      inFlight: w.inFlight,
      served: w.served,
      failed: w.failed,
    }));
  }

  #candidates(model: string, version: string): WorkerEntry[] {
    const k = key(model, version);
    return [...this.#workers.values()].filter(
      (w) => w.peer.isOpen && w.info.models.some((m) => key(m.name, m.version) === k),
    );
  }

  #pick(model: string, version: string, tried: ReadonlySet<WorkerEntry>): WorkerEntry | undefined {
    const candidates = this.#candidates(model, version).filter((w) => !tried.has(w) && w.inFlight < w.info.maxConcurrency);
    if (candidates.length === 0) return undefined;
    const least = Math.min(...candidates.map((w) => w.inFlight));
    const best = candidates.filter((w) => w.inFlight === least);
    return best[this.#turn++ % best.length];
  }

  /**
   * Sends a batch to a worker. Inference is idempotent, so a batch whose worker fails (closed,
   * unreachable, busy) is sent to another worker, each worker tried at most once.
   */
  async dispatch(request: InferBatchRequest, options: DispatchOptions): Promise<InferBatchResponse> {
    const tried = new Set<WorkerEntry>();
    let lastError: unknown;
    for (;;) {
      const worker = this.#pick(request.model, request.version, tried);
      if (!worker) {
        if (lastError !== undefined) throw lastError;
        const busy = this.#candidates(request.model, request.version).length > 0;
        throw busy
          ? new ApiError('IM_OVERLOADED', `every worker serving ${request.model}:${request.version} is at capacity`, { retryAfterSeconds: 1 })
          : new ApiError('IM_NO_WORKER', `no worker serves ${request.model}:${request.version}`, { retryAfterSeconds: 1 });
      }
      tried.add(worker);
      worker.inFlight++;
      try {
        const response = await worker.peer.call('infer', request, {
          timeoutMs: options.timeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        worker.served++;
        return response;
      } catch (error) {
        worker.failed++;
        if (!WORKER_FAULTS.has(faultCode(error) ?? '')) throw error;
        lastError = error;
      } finally {
        worker.inFlight--;
      }
    }
  }
}
