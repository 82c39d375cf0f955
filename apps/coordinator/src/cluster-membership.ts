import { EventEmitter } from 'node:events';
import { readClientCredentials } from '@infermesh/config';
import { clusterWorkersPrefix, ClusterWorkerSchema, type ClusterEtcd, type WorkerProtocol } from '@infermesh/contracts';
import { Membership, type Leadership, type MemberWatch } from '@infermesh/membership';
import type { DialingPeer } from '@infermesh/transport';

export type ClusterMembershipEvents = {
  /** A worker registered in etcd that this coordinator now dials. */
  dialling: [{ workerId: string; url: string }];
  /** A worker whose lease is gone: its channel is closed. */
  removed: [{ workerId: string }];
  degraded: [Error];
  recovered: [];
  invalid: [{ key: string; error: Error }];
  /** This coordinator leads the cluster's singleton duties (placement) now. */
  elected: [];
  deposed: [Error];
};

export interface ClusterMembershipOptions {
  etcd: ClusterEtcd;
  /** This coordinator's name in the election. */
  id: string;
  /** Dials a worker's address (the worker channel's auth and TLS applied); the peer admits itself on open. */
  dial: (url: string, workerId: string) => DialingPeer<WorkerProtocol>;
  /** True when a worker of this id already has a channel (it dialled in): no second one is opened. */
  connected: (workerId: string) => boolean;
}

/**
 * The coordinator's side of membership on etcd: every worker registered under the cluster prefix is
 * dialled unless it already has a channel here; a worker whose lease is lost has its channel closed, so
 * it leaves every lane within the lease TTL. While etcd is unreachable the last membership stays.
 */
export class ClusterMembership extends EventEmitter<ClusterMembershipEvents> {
  readonly #membership: Membership;
  readonly #watch: MemberWatch<{ url: string }>;
  readonly #leadership: Leadership;
  readonly #options: ClusterMembershipOptions;
  readonly #dialled = new Map<string, { url: string; peer: DialingPeer<WorkerProtocol> }>();

  constructor(options: ClusterMembershipOptions) {
    super();
    this.#options = options;
    const { etcd } = options;
    // etcd's TLS files and RBAC password file are read here, at start: a missing file stops the start.
    this.#membership = new Membership({ endpoints: etcd.endpoints, prefix: clusterWorkersPrefix(etcd.prefix), leaseTtlS: etcd.leaseTtlS, ...readClientCredentials(etcd) });
    this.#watch = this.#membership.watch({ parse: (v) => ClusterWorkerSchema.parse(v) });
    this.#watch
      .on('joined', (id, { url }) => this.#dial(id, url))
      .on('changed', (id, { url }) => {
        this.#hangUp(id);
        this.#dial(id, url);
      })
      .on('left', (id) => {
        if (this.#hangUp(id)) this.emit('removed', { workerId: id });
      })
      .on('degraded', (error) => this.emit('degraded', error))
      .on('recovered', () => this.emit('recovered'))
      .on('invalid', (key, error) => this.emit('invalid', { key, error }));
    // One coordinator leads the singleton duties; another takes over within the lease TTL when it dies.
    this.#leadership = this.#membership.campaign('placement', options.id);
    this.#leadership.on('elected', () => this.emit('elected')).on('deposed', (error) => this.emit('deposed', error));
  }

  /** True while this coordinator is the placement leader. */
  get isLeader(): boolean {
    return this.#leadership.isLeader;
  }

  /** The current leader's id, as etcd says (undefined while none, or etcd is unreachable). */
  leader(): Promise<string | undefined> {
    return this.#membership.leader('placement');
  }

  /** Resolves after the first read of the registry (answered or not). */
  ready(): Promise<void> {
    return this.#watch.ready();
  }

  /** Why etcd counts as unreachable now, or undefined. */
  get degraded(): Error | undefined {
    return this.#watch.degraded;
  }

  /** Worker ids registered in etcd, as last known. */
  get registered(): string[] {
    return [...this.#watch.members.keys()];
  }

  #dial(workerId: string, url: string): void {
    if (this.#dialled.has(workerId) || this.#options.connected(workerId)) return;
    const peer = this.#options.dial(url, workerId);
    this.#dialled.set(workerId, { url, peer });
    this.emit('dialling', { workerId, url });
  }

  #hangUp(workerId: string): boolean {
    const dialled = this.#dialled.get(workerId);
    if (!dialled) return false;
    this.#dialled.delete(workerId);
    void dialled.peer.close(1001, 'worker left the cluster').catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    for (const id of [...this.#dialled.keys()]) this.#hangUp(id);
    await this.#membership.close();
  }
}
