import { EventEmitter } from 'node:events';
import type { Etcd3, Lease } from 'etcd3';
import type { ParsedMembershipOptions } from './options.js';

export type RegistrationEvents = {
  /** The key is in etcd under a live lease (again, after a loss). */
  registered: [{ lease: string }];
  /** The lease was lost (etcd unreachable longer than the TTL, or revoked): watchers drop this member; a new lease follows. */
  lost: [Error];
  closed: [];
};

/**
 * A member's key under a lease that etcd3 keeps alive (a keepalive every third of the TTL). When the
 * lease is lost, a new one is granted and the key put again every `retryMs` until it succeeds.
 */
export class Registration extends EventEmitter<RegistrationEvents> {
  readonly key: string;
  readonly #client: Etcd3;
  readonly #options: ParsedMembershipOptions;
  readonly #value: string;
  #lease: Lease | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #registered = false;

  constructor(client: Etcd3, options: ParsedMembershipOptions, id: string, value: unknown) {
    super();
    this.#client = client;
    this.#options = options;
    this.key = `${options.prefix}${id}`;
    this.#value = JSON.stringify(value);
    void this.#grant();
  }

  /** True while the key is in etcd under a live lease, as far as this process knows. */
  get registered(): boolean {
    return this.#registered;
  }

  async #grant(): Promise<void> {
    if (this.#closed) return;
    const lease = this.#client.lease(this.#options.leaseTtlS);
    this.#lease = lease;
    lease.on('lost', (error) => this.#lost(lease, error));
    try {
      await lease.put(this.key).value(this.#value).exec();
      if (this.#lease !== lease || this.#closed) return;
      this.#registered = true;
      this.emit('registered', { lease: await lease.grant() });
    } catch (error) {
      this.#lost(lease, error as Error);
    }
  }

  #lost(lease: Lease, error: Error): void {
    if (this.#lease !== lease || this.#closed) return;
    this.#lease = undefined;
    lease.release();
    const was = this.#registered;
    this.#registered = false;
    if (was) this.emit('lost', error);
    this.#timer = setTimeout(() => void this.#grant(), this.#options.retryMs);
  }

  /** Revokes the lease, so watchers see this member leave at once, not after the TTL. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const lease = this.#lease;
    this.#lease = undefined;
    this.#registered = false;
    if (lease) await lease.revoke().catch(() => lease.release());
    this.emit('closed');
  }
}
