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
  /** Requests waiting for a worker slot, by model:version, oldest first; bounded by admission. */
  readonly #waiting = new Map<string, Set<() => void>>();
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
    this.#wake();
    return info;
  }

  remove(peer: Peer<WorkerProtocol>): void {
    if (this.#workers.delete(peer)) {
      this.emit('change');
      this.#wake();
    }
  }

  /** Every waiter re-checks: the set of workers changed. */
  #wake(): void {
    for (const waiters of this.#waiting.values()) for (const wake of [...waiters]) wake();
  }

  /** A slot freed on this worker: the oldest waiter for one of its models takes it. */
  #release(worker: WorkerEntry): void {
    for (const m of worker.info.models) {
      const first = this.#waiting.get(key(m.name, m.version))?.values().next();
      if (first && !first.done) {
        first.value();
        return;
      }
    }
  }

  /**
   * A worker with a free slot, waiting for one while every worker serving the model is busy. The
   * slot is taken here, synchronously with the pick, so callers racing in one tick cannot overbook.
   */
  async #acquire(model: string, version: string, tried: ReadonlySet<WorkerEntry>, signal: AbortSignal): Promise<WorkerEntry | undefined> {
    for (;;) {
      const worker = this.#pick(model, version, tried);
      if (worker) {
        worker.inFlight++;
        return worker;
      }
      if (!this.#candidates(model, version).some((w) => !tried.has(w))) return undefined;
      signal.throwIfAborted();
      const k = key(model, version);
      const waiters = this.#waiting.get(k) ?? new Set<() => void>();
      this.#waiting.set(k, waiters);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          waiters.delete(done);
          if (waiters.size === 0) this.#waiting.delete(k);
          signal.removeEventListener('abort', done);
          resolve();
        };
        waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  get size(): number {
    return this.#workers.size;
  }

  /** Batches the workers serving the model version can run at once. */
  capacity(model: string, version: string): number {
    return this.#candidates(model, version).reduce((sum, w) => sum + w.info.maxConcurrency, 0);
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
    const deadline = Date.now() + options.timeoutMs;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let lastError: unknown;
    for (;;) {
      let worker: WorkerEntry | undefined;
      try {
        worker = await this.#acquire(request.model, request.version, tried, signal);
      } catch {
        throw timeout.aborted
          ? new ApiError('IM_TIMEOUT', `no worker slot for ${request.model}:${request.version} within ${options.timeoutMs} ms`)
          : new ApiError('IM_TIMEOUT', 'the request was cancelled while waiting for a worker');
      }
      if (!worker) {
        if (lastError !== undefined) throw lastError;
        throw new ApiError('IM_NO_WORKER', `no worker serves ${request.model}:${request.version}`, { retryAfterSeconds: 1 });
      }
      tried.add(worker);
      try {
        const response = await worker.peer.call('infer', request, {
          timeoutMs: Math.max(1, deadline - Date.now()),
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
        this.#release(worker);
      }
    }
  }
}
