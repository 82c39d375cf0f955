import { EventEmitter } from 'node:events';
import { roleOfStage, type InferBatchRequestInput, type InferBatchResponse, type WorkerInfo, type WorkerProtocol, type WorkerRole } from '@infermesh/contracts';
import { LoadBalancer, NoEndpointError, type EndpointMetrics, type StrategyName } from '@infermesh/load-balancer';
import type { ModelRegistry } from '@infermesh/registry';
import { RetryBudget, RoutingTable, type Hasher } from '@infermesh/router';
import type { Peer } from '@infermesh/transport';
import { ApiError } from './api-error.js';

interface WorkerEntry {
  id: string;
  peer: Peer<WorkerProtocol>;
  info: WorkerInfo;
  inFlight: number;
  served: number;
  failed: number;
}

export interface WorkerStatus {
  workerId: string;
  role: WorkerRole;
  address: string | undefined;
  models: string[];
  shards: Record<string, number[]>;
  maxConcurrency: number;
  inFlight: number;
  served: number;
  failed: number;
  /** Per model: state, latency, error figures from that model's load balancer. */
  balancing: Record<string, Pick<EndpointMetrics, 'state' | 'outstanding' | 'requests' | 'errorRate' | 'latency'>>;
}

export interface DispatchOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The shard of a sharded model the batch belongs to; only workers holding it are candidates. */
  shard?: number | undefined;
}

export interface DispatchResult extends InferBatchResponse {
  workerId: string;
}

export interface WorkerPoolOptions {
  /** Strategy of every model's balancer, unless `strategies` names one for the model. */
  strategy: StrategyName;
  strategies: Record<string, StrategyName>;
  /** Active checks (a `describe` call), passive outlier ejection, panic mode, slow start. */
  health: { intervalMs: number; timeoutMs: number; unhealthyThreshold: number; healthyThreshold: number };
  outlier: { consecutiveFailures: number; baseEjectionMs: number; maxEjectionMs: number; maxEjectionPercent: number };
  panicThreshold: number;
  slowStartMs: number;
  /** The router's string hash (xxHash32, loaded once at start). */
  hash: Hasher;
  /** Retries allowed as a fraction of recent batches (plus a floor per second), so that retries cannot multiply load in an outage. */
  retryBudget: { percentCanRetry: number; minRetriesPerSecond: number };
  onState?: (event: { model: string; worker: string; from: string; to: string; reason: string }) => void;
}

/** Failures that say the worker, not the request, is at fault: another worker may succeed. */
const WORKER_FAULTS = new Set([
  'IM_TRANSPORT_CLOSED', 'IM_TRANSPORT_NOT_CONNECTED', 'IM_TRANSPORT_BACKPRESSURE', 'IM_TRANSPORT_PROTOCOL',
  'IM_TRANSPORT_HEARTBEAT_TIMEOUT', 'IM_WORKER_BUSY',
]);

function faultCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; remoteCode?: unknown };
  const code = typeof e?.remoteCode === 'string' ? e.remoteCode : e?.code;
  return typeof code === 'string' ? code : undefined;
}

const key = (model: string, version: string): string => `${model}:${version}`;

/** A balancer's key: model workers by `name:version`, processors by `name:version@processor`. */
const poolKey = (model: string, version: string, role: WorkerRole): string =>
  role === 'model' ? key(model, version) : `${key(model, version)}@${role}`;

/**
 * The workers connected to this coordinator, adapted onto the generic blocks: a load balancer per
 * model version and role (strategy, health checks, outlier ejection) picks among the workers serving
 * it, and a routing table knows which worker holds which shard of a sharded model. Model workers and
 * processors (which run only pre- and post-processing) are balanced apart, the same way. A worker is
 * described on connect (whichever side dialled); its models and their stages go into the registry,
 * which refuses a worker whose stages do not fit the ones registered.
 */
export class WorkerPool extends EventEmitter<{ change: [] }> {
  readonly #registry: ModelRegistry;
  readonly #options: WorkerPoolOptions;
  readonly #workers = new Map<string, WorkerEntry>();
  readonly #balancers = new Map<string, { model: string; version: string; role: WorkerRole; lb: LoadBalancer<WorkerEntry> }>();
  readonly #routing: RoutingTable;
  readonly #retries: RetryBudget;
  /** Requests waiting for a worker slot, by model:version, oldest first; bounded by admission. */
  readonly #waiting = new Map<string, Set<() => void>>();

  constructor(registry: ModelRegistry, options: WorkerPoolOptions) {
    super();
    this.#registry = registry;
    this.#options = options;
    this.#routing = new RoutingTable({ hash: options.hash });
    this.#retries = new RetryBudget(options.retryBudget);
  }

  #balancer(model: string, version: string, role: WorkerRole): LoadBalancer<WorkerEntry> {
    const k = poolKey(model, version, role);
    let lb = this.#balancers.get(k)?.lb;
    if (!lb) {
      const o = this.#options;
      lb = new LoadBalancer<WorkerEntry>({
        strategy: o.strategies[model] ?? o.strategy,
        health: {
          ...o.health,
          check: async (w, signal) => {
            await w.peer.call('describe', {}, { timeoutMs: o.health.timeoutMs, signal });
          },
        },
        outlier: { enabled: true, ...o.outlier },
        panicThreshold: o.panicThreshold,
        slowStart: { durationMs: o.slowStartMs },
      });
      lb.on('state', (e) => {
        o.onState?.({ model: k, worker: this.#workers.get(e.id)?.info.workerId ?? e.id, from: e.from, to: e.to, reason: e.reason });
        this.#wake();
      });
      this.#balancers.set(k, { model, version, role, lb });
    }
    return lb;
  }

  /**
   * Describes a newly connected worker and puts it in rotation; refuses one whose models conflict
   * with the registry's, or whose stages do not fit the ones other workers registered.
   */
  async add(peer: Peer<WorkerProtocol>, timeoutMs = 10_000): Promise<WorkerInfo> {
    const info = await peer.call('describe', {}, { timeoutMs });
    for (const spec of info.models) {
      this.#registry.register(spec);
      const stages = info.stages[key(spec.name, spec.version)];
      if (stages) this.#registry.registerStages(spec.name, spec.version, stages);
    }
    const entry: WorkerEntry = { id: peer.id, peer, info, inFlight: 0, served: 0, failed: 0 };
    this.#workers.set(peer.id, entry);
    for (const spec of info.models) {
      const k = key(spec.name, spec.version);
      if (info.role === 'model') {
        if (!this.#routing.route(k)) this.#routing.configure(k, { shards: spec.shards });
        const shards = info.shards[k];
        this.#routing.register(peer.id, { target: k, ...(shards ? { shards } : {}) });
      }
      this.#balancer(spec.name, spec.version, info.role).add(peer.id, entry);
    }
    peer.once('close', () => this.remove(peer));
    this.emit('change');
    this.#wake();
    return info;
  }

  /**
   * A worker about to stop: its balancers give it no new batches; it finishes the ones it has, then
   * closes (and is removed). False for an unknown peer.
   */
  drain(peerId: string): boolean {
    const entry = this.#workers.get(peerId);
    if (!entry) return false;
    for (const spec of entry.info.models) {
      const lb = this.#balancers.get(poolKey(spec.name, spec.version, entry.info.role))?.lb;
      if (lb?.has(peerId)) void lb.drain(peerId).catch(() => undefined);
    }
    this.emit('change');
    return true;
  }

  remove(peer: Peer<WorkerProtocol>): void {
    const entry = this.#workers.get(peer.id);
    if (!entry) return;
    this.#workers.delete(peer.id);
    for (const spec of entry.info.models) {
      const lb = this.#balancers.get(poolKey(spec.name, spec.version, entry.info.role))?.lb;
      if (lb?.has(peer.id)) lb.remove(peer.id);
    }
    try {
      this.#routing.unregister(peer.id);
    } catch {
      /* it served nothing */
    }
    this.emit('change');
    this.#wake();
  }

  get size(): number {
    return this.#workers.size;
  }

  /** The shard of a model version a routing key maps to (0 for a model of one shard). */
  shardOf(model: string, version: string, routingKey: string): number {
    const k = key(model, version);
    return this.#routing.route(k) ? this.#routing.shardOf(k, routingKey) : 0;
  }

  /** Batches the workers of `role` serving the model version can run at once. */
  capacity(model: string, version: string, role: WorkerRole = 'model'): number {
    return this.#candidates(model, version, undefined, role).reduce((sum, w) => sum + w.info.maxConcurrency, 0);
  }

  /** Whether some connected, healthy (or panic-admitted) worker of `role` serves the model version. */
  serves(model: string, version: string, role: WorkerRole = 'model'): boolean {
    // Per request (fallback routing): `available`, not `snapshot()`, which sorts latency windows.
    return (this.#balancers.get(poolKey(model, version, role))?.lb.available ?? 0) > 0;
  }

  /** Whether any model has a model worker to serve it: the coordinator's readiness. */
  ready(): boolean {
    for (const { model, version, role } of this.#balancers.values()) {
      if (role === 'model' && this.serves(model, version)) return true;
    }
    return false;
  }

  status(): WorkerStatus[] {
    const metrics = new Map<string, Record<string, WorkerStatus['balancing'][string]>>();
    for (const [k, { lb }] of this.#balancers) {
      for (const e of lb.snapshot().endpoints) {
        const m = metrics.get(e.id) ?? {};
        m[k] = { state: e.state, outstanding: e.outstanding, requests: e.requests, errorRate: e.errorRate, latency: e.latency };
        metrics.set(e.id, m);
      }
    }
    return [...this.#workers.values()].map((w) => ({
      workerId: w.info.workerId,
      role: w.info.role,
      address: w.peer.remoteAddress,
      models: w.info.models.map((m) => key(m.name, m.version)),
      shards: w.info.shards,
      maxConcurrency: w.info.maxConcurrency,
      inFlight: w.inFlight,
      served: w.served,
      failed: w.failed,
      balancing: metrics.get(w.id) ?? {},
    }));
  }

  #candidates(model: string, version: string, shard: number | undefined, role: WorkerRole): WorkerEntry[] {
    const k = key(model, version);
    const replicas = shard === undefined || !this.#routing.route(k) ? undefined : new Set(this.#routing.replicas(k, shard));
    return [...this.#workers.values()].filter(
      (w) =>
        w.peer.isOpen && w.info.role === role && w.info.models.some((m) => key(m.name, m.version) === k) && (!replicas || replicas.has(w.id)),
    );
  }

  /** Every waiter re-checks: the set of workers or their states changed. */
  #wake(): void {
    for (const waiters of this.#waiting.values()) for (const wake of [...waiters]) wake();
  }

  /** A slot freed on this worker: the oldest waiter for one of its models takes it. */
  #release(worker: WorkerEntry): void {
    for (const m of worker.info.models) {
      const first = this.#waiting.get(poolKey(m.name, m.version, worker.info.role))?.values().next();
      if (first && !first.done) {
        first.value();
        return;
      }
    }
  }

  /**
   * A lease on a worker with a free slot, chosen by the model's balancer among the workers that may
   * take the batch, waiting while every such worker is busy. The slot is taken synchronously with
   * the pick, so callers racing in one tick cannot overbook a worker. Undefined: nobody can serve it.
   */
  async #acquire(
    model: string, version: string, shard: number | undefined, role: WorkerRole, tried: ReadonlySet<string>,
    waitSignal: () => AbortSignal,
  ) {
    const k = poolKey(model, version, role);
    for (;;) {
      const candidates = this.#candidates(model, version, shard, role).filter((w) => !tried.has(w.id));
      if (candidates.length === 0) return undefined;
      const lb = this.#balancers.get(k)?.lb;
      const free = new Set(candidates.filter((w) => w.inFlight < w.info.maxConcurrency).map((w) => w.id));
      if (lb && free.size > 0) {
        const exclude = new Set([...this.#workers.keys()].filter((id) => !free.has(id)));
        try {
          const lease = lb.acquire({ exclude });
          lease.endpoint.inFlight++;
          return lease;
        } catch (error) {
          // Free workers exist but the balancer will not pick them now (ejected, unhealthy): wait.
          if (!(error instanceof NoEndpointError)) throw error;
        }
      }
      const signal = waitSignal();
      signal.throwIfAborted();
      const waiters = this.#waiting.get(k) ?? new Set<() => void>();
      this.#waiting.set(k, waiters);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          waiters.delete(done);
          if (waiters.size === 0) this.#waiting.delete(k);
          signal.removeEventListener('abort', done);
          clearTimeout(poll);
          resolve();
        };
        // An ejected worker comes back on a timer inside the balancer: look again now and then.
        const poll = setTimeout(done, 250);
        waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * Sends a batch to a worker: a model worker for a whole request or the model stage, a processor
   * for pre- or post-processing. Inference is idempotent, so a batch whose worker fails (closed,
   * unreachable, busy) is sent to another worker, each worker tried at most once, while the retry
   * budget allows. A failure of the request itself (bad input) is not retried and does not count
   * against the worker.
   */
  async dispatch(request: InferBatchRequestInput, options: DispatchOptions): Promise<DispatchResult> {
    const tried = new Set<string>();
    const deadline = Date.now() + options.timeoutMs;
    // Made only when a batch must wait for a slot: AbortSignal.timeout + any cost ~50 µs on Node 20,
    // more than the rest of the dispatch, and a free worker (the usual case) needs neither.
    let timeout: AbortSignal | undefined;
    let signal: AbortSignal | undefined;
    const waitSignal = (): AbortSignal => {
      if (signal) return signal;
      timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      return signal;
    };
    let lastError: unknown;
    const role = roleOfStage(request.stage);
    this.#retries.recordRequest();
    for (;;) {
      if (lastError !== undefined && !this.#retries.tryRetry()) throw lastError;
      let lease;
      try {
        lease = await this.#acquire(request.model, request.version, options.shard, role, tried, waitSignal);
      } catch {
        throw timeout?.aborted
          ? new ApiError('IM_TIMEOUT', `no worker slot for ${request.model}:${request.version} within ${options.timeoutMs} ms`)
          : new ApiError('IM_TIMEOUT', 'the request was cancelled while waiting for a worker');
      }
      if (!lease) {
        if (lastError !== undefined) throw lastError;
        const what = options.shard === undefined ? '' : ` shard ${options.shard}`;
        const who = role === 'model' ? 'worker' : `processor (${request.stage})`;
        throw new ApiError('IM_NO_WORKER', `no ${who} serves ${request.model}:${request.version}${what}`, { retryAfterSeconds: 1 });
      }
      const worker = lease.endpoint;
      tried.add(worker.id);
      try {
        const response = await worker.peer.call('infer', request, {
          timeoutMs: Math.max(1, deadline - Date.now()),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        worker.served++;
        lease.release({ ok: true });
        return { ...response, workerId: worker.info.workerId };
      } catch (error) {
        const code = faultCode(error) ?? '';
        const fault = WORKER_FAULTS.has(code);
        // A request that outlives its deadline is not a worker fault: the deadline may be the client's
        // own and short. A worker that stops answering is caught by the health checks and heartbeats.
        lease.release({ ok: false, failure: fault ? 'endpoint' : 'request' });
        if (!fault) throw error;
        worker.failed++;
        lastError = error;
      } finally {
        worker.inFlight--;
        this.#release(worker);
      }
    }
  }

  close(): void {
    for (const { lb } of this.#balancers.values()) lb.close();
  }
}
