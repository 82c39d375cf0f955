import { EventEmitter } from 'node:events';
import { modelVersionKey, WORKER_REFUSED_CLOSE_CODE, type ModelSpec, type WorkerInfo, type WorkerProtocol, type WorkerRole } from '@infermesh/contracts';
import { Capacity, type EndpointMetrics } from '@infermesh/load-balancer';
import type { ModelRegistry } from '@infermesh/registry';
import type { Peer } from '@infermesh/transport';
import { WorkerChannelError } from './worker-channel-error.js';

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
export interface WorkerPoolOptions {
  /** How long a worker id ejected for breaking its model's contract is refused. Default: 10 minutes. */
  quarantineMs?: number;
  /** Wall clock, ms. Default: `Date.now`. */
  now?: () => number;
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #registry: ModelRegistry;
  readonly #workers = new Map<string, Worker>();
  /** Worker id → until when it is refused (ejected for breaking its model's contract). */
  readonly #quarantine = new Map<string, number>();
  readonly #quarantineMs: number;
  readonly #now: () => number;

  constructor(registry: ModelRegistry, options: WorkerPoolOptions = {}) {
    super();
    this.#registry = registry;
    this.#quarantineMs = options.quarantineMs ?? 600_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Describes a newly connected worker and announces it. Refuses (a `WorkerChannelError`) a worker
   * whose id a connected worker holds (`IM_WORKER_ID_IN_USE`), whose id is not the one its credential
   * names (`IM_WORKER_ID_MISMATCH`, when the transport authenticated it per worker); the registry
   * refuses one whose models conflict with the registered ones (its own `IM_REGISTRY_*` codes).
   */
  async join(peer: Peer<WorkerProtocol>, timeoutMs = 10_000): Promise<WorkerInfo> {
    const info = await peer.call('describe', {}, { timeoutMs });
    if (peer.identity !== undefined && info.workerId !== peer.identity) {
      throw new WorkerChannelError('IM_WORKER_ID_MISMATCH', `the worker describes itself as "${info.workerId}" but its credential is "${peer.identity}"'s`);
    }
    const until = this.#quarantine.get(info.workerId);
    if (until !== undefined && until > this.#now()) {
      throw new WorkerChannelError('IM_WORKER_CONTRACT', `worker "${info.workerId}" was ejected for breaking its model's contract; refused for ${Math.ceil((until - this.#now()) / 1000)} s more`);
    }
    this.#quarantine.delete(info.workerId);
    const holder = this.byWorkerId(info.workerId);
    if (holder !== undefined) {
      throw new WorkerChannelError('IM_WORKER_ID_IN_USE', `worker id "${info.workerId}" is held by a connected worker (${holder.peer.remoteAddress ?? 'unknown address'})`);
    }
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
   * A description under another worker id is ignored.
   */
  update(peerId: string, info: WorkerInfo): void {
    const worker = this.#workers.get(peerId);
    // A worker keeps the id it joined with (the one its credential was checked against).
    if (!worker || info.workerId !== worker.info.workerId) return;
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

  /** The connected worker that described itself with this id. */
  byWorkerId(workerId: string): Worker | undefined {
    for (const worker of this.#workers.values()) if (worker.info.workerId === workerId) return worker;
    return undefined;
  }

  /** The connected workers whose credential names one of `identities` (per-worker credentials). */
  withIdentity(identities: ReadonlySet<string>): Worker[] {
    return [...this.#workers.values()].filter((w) => w.peer.identity !== undefined && identities.has(w.peer.identity));
  }

  /**
   * Takes a worker out at once (it leaves every lane; its batches in flight fail over to others), closes
   * its connection with `code` as the reason, and refuses its id for the quarantine period.
   */
  eject(worker: Worker, code: 'IM_WORKER_CONTRACT'): void {
    this.#quarantine.set(worker.info.workerId, this.#now() + this.#quarantineMs);
    this.leave(worker.id);
    void worker.peer.close(WORKER_REFUSED_CLOSE_CODE, code).catch(() => undefined);
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
