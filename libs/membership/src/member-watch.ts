import { EventEmitter } from 'node:events';
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { ParsedMembershipOptions } from './options.js';

export interface MemberWatchOptions<T> {
  /** Validates a member's value (its JSON, parsed); throw to skip a value that is not a member's. */
  parse: (value: unknown) => T;
}

export type MemberWatchEvents<T> = {
  joined: [id: string, value: T];
  /** A member's value changed (it registered again with another address). */
  changed: [id: string, value: T];
  left: [id: string];
  /** etcd is unreachable: the last membership stays in force until it answers again. */
  degraded: [Error];
  recovered: [];
  /** A value under the prefix that `parse` refused. */
  invalid: [id: string, error: Error];
  closed: [];
};

/**
 * The live set of members under a prefix: a read of the whole prefix, then a watch from the revision
 * after it. Every `resyncMs` the prefix is read again and diffed, which repairs anything a watch stream
 * missed and tells whether etcd answers: a failed read marks the watch degraded (the last set stays),
 * the next good one recovered.
 */
export class MemberWatch<T> extends EventEmitter<MemberWatchEvents<T>> {
  readonly #client: Etcd3;
  readonly #options: ParsedMembershipOptions;
  readonly #parse: (value: unknown) => T;
  readonly #members = new Map<string, { raw: string; value: T }>();
  readonly #ready: Promise<void>;
  #watcher: Watcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #degraded: Error | undefined;
  #closed = false;

  constructor(client: Etcd3, options: ParsedMembershipOptions, watchOptions: MemberWatchOptions<T>) {
    super();
    this.#client = client;
    this.#options = options;
    this.#parse = watchOptions.parse;
    this.#ready = this.#resync().then(() => this.#schedule());
    this.#ready.catch(() => undefined);
  }

  /** Resolves after the first read of the prefix, whether etcd answered or not (then it is degraded). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** The members known now (the last known set while degraded). */
  get members(): ReadonlyMap<string, T> {
    return new Map([...this.#members].map(([id, m]) => [id, m.value]));
  }

  /** Why etcd counts as unreachable, or undefined while it answers. */
  get degraded(): Error | undefined {
    return this.#degraded;
  }

  #schedule(): void {
    if (this.#closed) return;
    const every = this.#options.resyncMs ?? Math.max(250, (this.#options.leaseTtlS * 1000) / 2);
    this.#timer = setTimeout(() => void this.#resync().finally(() => this.#schedule()), every);
  }

  async #resync(): Promise<void> {
    let response;
    try {
      response = await this.#client.getAll().prefix(this.#options.prefix).exec();
    } catch (error) {
      if (this.#closed) return;
      if (this.#degraded === undefined) {
        this.#degraded = error as Error;
        this.emit('degraded', error as Error);
      }
      return;
    }
    if (this.#closed) return;
    const seen = new Set<string>();
    for (const kv of response.kvs) seen.add(this.#put(kv));
    for (const id of [...this.#members.keys()]) if (!seen.has(id)) this.#remove(id);
    if (this.#watcher === undefined) await this.#watch(BigInt(response.header.revision) + 1n);
    if (this.#degraded !== undefined) {
      this.#degraded = undefined;
      this.emit('recovered');
    }
  }

  async #watch(fromRevision: bigint): Promise<void> {
    const watcher = await this.#client.watch().prefix(this.#options.prefix).startRevision(String(fromRevision)).create();
    if (this.#closed) return void watcher.cancel().catch(() => undefined);
    this.#watcher = watcher;
    watcher.on('put', (kv) => void this.#put(kv));
    watcher.on('delete', (kv) => this.#remove(this.#idOf(kv)));
    // A dropped stream is re-established by etcd3; the resync loop says whether etcd answers.
    watcher.on('error', () => undefined);
  }

  #idOf(kv: IKeyValue): string {
    return kv.key.toString().slice(this.#options.prefix.length);
  }

  #put(kv: IKeyValue): string {
    const id = this.#idOf(kv);
    const raw = kv.value.toString();
    const known = this.#members.get(id);
    if (known?.raw === raw) return id;
    let value: T;
    try {
      value = this.#parse(JSON.parse(raw));
    } catch (error) {
      this.emit('invalid', id, error as Error);
      return id;
    }
    this.#members.set(id, { raw, value });
    if (known) this.emit('changed', id, value);
    else this.emit('joined', id, value);
    return id;
  }

  #remove(id: string): void {
    if (this.#members.delete(id)) this.emit('left', id);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#watcher?.cancel().catch(() => undefined);
    this.emit('closed');
  }
}
