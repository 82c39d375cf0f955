import { EventEmitter } from 'node:events';
import { modelVersionKey, type ModelSpec, type WorkerInfo, type WorkerProtocol, type WorkerRole } from '@infermesh/contracts';
import { Capacity, type EndpointMetrics } from '@infermesh/load-balancer';
import type { ModelRegistry } from '@infermesh/registry';
import type { Peer } from '@infermesh/transport';

/** A connected worker or processor: an endpoint of every lane it serves. */
export interface Worker {
  /** The connection's id (unique per connection, whatever the worker calls itself). */
  readonly id: string;
  readonly peer: Peer<WorkerProtocol>;
  /** As it last described itself: its models change with explicit model control (`update`). */
  info: WorkerInfo;
  /** Its `maxConcurrency`: one set of slots shared by the balancers of every lane it serves. */
  readonly capacity: Capacity;
  served: number;
  failed: number;
}

/** One lane's view of a worker, for `/v2/status`. */
export type LaneBalancing = Pick<EndpointMetrics, 'state' | 'outstanding' | 'requests' | 'errorRate' | 'latency'>;

export interface WorkerStatus {
  workerId: string;
  role: WorkerRole;
  address: string | undefined;
  models: string[];
  shards: Record<string, number[]>;
  maxConcurrency: number;
  /** Batches it runs now, over every lane. */
  inFlight: number;
  served: number;
  failed: number;
  /** Per lane (by its label): state, latency and error figures from that lane's balancer. */
  balancing: Record<string, LaneBalancing>;
}

export type WorkerPoolEvents = {
  joined: [Worker];
  left: [Worker];
  draining: [Worker];
  /** The worker now also serves these model versions (it loaded them on request). */
  loaded: [Worker, ModelSpec[]];
  /** The worker no longer serves these model versions (it dropped them on request). */
  unloaded: [Worker, ModelSpec[]];
};

/**
 * Membership: the workers connected to this coordinator. A worker is described on connect (whichever
 * side dialled); its models and their stages go into the registry, which refuses a worker whose models
 * conflict or whose stages do not fit the ones registered. Where its batches go is the lanes' business.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #registry: ModelRegistry;
  readonly #workers = new Map<string, Worker>();

  constructor(registry: ModelRegistry) {
    super();
    this.#registry = registry;
  }

  /** Describes a newly connected worker and announces it; refuses one the registry refuses. */
  async join(peer: Peer<WorkerProtocol>, timeoutMs = 10_000): Promise<WorkerInfo> {
    const info = await peer.call('describe', {}, { timeoutMs });
    this.#register(info, info.models);
    const worker: Worker = { id: peer.id, peer, info, capacity: new Capacity(info.maxConcurrency), served: 0, failed: 0 };
    this.#workers.set(peer.id, worker);
    peer.once('close', () => this.leave(peer.id));
    this.emit('joined', worker);
    return info;
  }

  /** Puts a worker's models and their stages in the registry, which refuses a conflicting one. */
  #register(info: WorkerInfo, specs: readonly ModelSpec[]): void {
    for (const spec of specs) {
      this.#registry.register(spec);
      const stages = info.stages[modelVersionKey(spec)];
      if (stages) this.#registry.registerStages(spec.name, spec.version, stages);
    }
  }

  /**
   * A worker described itself anew after loading or dropping models: the versions it gained go into the
   * registry and are announced (`loaded`), the ones it lost are announced (`unloaded`); the lanes follow.
   */
  update(peerId: string, info: WorkerInfo): void {
    const worker = this.#workers.get(peerId);
    if (!worker) return;
    const had = new Set(worker.info.models.map(modelVersionKey));
    const has = new Set(info.models.map(modelVersionKey));
    const gained = info.models.filter((s) => !had.has(modelVersionKey(s)));
    const lost = worker.info.models.filter((s) => !has.has(modelVersionKey(s)));
    this.#register(info, gained);
    worker.info = info;
    if (lost.length > 0) this.emit('unloaded', worker, lost);
    if (gained.length > 0) this.emit('loaded', worker, gained);
  }

  /** The workers connected now. */
  get workers(): Worker[] {
    return [...this.#workers.values()];
  }

  /** A worker about to stop: its lanes give it no new batches; it finishes the ones it has. False for an unknown peer. */
  drain(peerId: string): boolean {
    const worker = this.#workers.get(peerId);
    if (!worker) return false;
    this.emit('draining', worker);
    return true;
  }

  leave(peerId: string): void {
    const worker = this.#workers.get(peerId);
    if (!worker) return;
    this.#workers.delete(peerId);
    this.emit('left', worker);
  }

  get size(): number {
    return this.#workers.size;
  }

  /** Every worker's figures; `balancing` gives each one's view from the lanes. */
  status(balancing: (worker: Worker) => Record<string, LaneBalancing>): WorkerStatus[] {
    return [...this.#workers.values()].map((w) => ({
      workerId: w.info.workerId,
      role: w.info.role,
      address: w.peer.remoteAddress,
      models: w.info.models.map(modelVersionKey),
      shards: w.info.shards,
      maxConcurrency: w.info.maxConcurrency,
      inFlight: w.capacity.used,
      served: w.served,
      failed: w.failed,
      balancing: balancing(w),
    }));
  }
}
