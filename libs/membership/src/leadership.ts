import { EventEmitter } from 'node:events';
import type { Campaign, Etcd3 } from 'etcd3';
import type { ParsedMembershipOptions } from './options.js';

export type LeadershipEvents = {
  /** This process leads now. */
  elected: [];
  /** It no longer does (its lease was lost: etcd or the network gone longer than the TTL); it campaigns again. */
  deposed: [Error];
  closed: [];
};

/**
 * A campaign for one singleton duty (etcd3's `Election`, under a lease of `leaseTtlS`): at most one
 * process leads; when the leader dies its lease expires and the next candidate is elected within the
 * TTL. A campaign that fails (etcd unreachable, lease lost) is started again every `retryMs`.
 */
export class Leadership extends EventEmitter<LeadershipEvents> {
  readonly #client: Etcd3;
  readonly #options: ParsedMembershipOptions;
  readonly #name: string;
  readonly #value: string;
  #campaign: Campaign | undefined;
  #timer: NodeJS.Timeout | undefined;
  #leader = false;
  #closed = false;

  constructor(client: Etcd3, options: ParsedMembershipOptions, name: string, value: string) {
    super();
    this.#client = client;
    this.#options = options;
    this.#name = name;
    this.#value = value;
    this.#start();
  }

  /** True while this process leads, as far as it knows. */
  get isLeader(): boolean {
    return this.#leader;
  }

  #start(): void {
    if (this.#closed) return;
    const campaign = this.#client.election(`${this.#options.prefix}${this.#name}`, this.#options.leaseTtlS).campaign(this.#value);
    this.#campaign = campaign;
    campaign.on('elected', () => {
      if (this.#campaign !== campaign || this.#closed) return;
      this.#leader = true;
      this.emit('elected');
    });
    campaign.on('error', (error: Error) => {
      if (this.#campaign !== campaign || this.#closed) return;
      this.#campaign = undefined;
      void campaign.resign().catch(() => undefined);
      if (this.#leader) {
        this.#leader = false;
        this.emit('deposed', error);
      }
      this.#timer = setTimeout(() => this.#start(), this.#options.retryMs);
    });
  }

  /** Resigns (the next candidate is elected at once) and stops campaigning. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#leader = false;
    await this.#campaign?.resign().catch(() => undefined);
    this.emit('closed');
  }
}
