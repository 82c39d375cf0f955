import { ExponentialBackoff, noop } from 'cockatiel';
import { Etcd3, type IOptions } from 'etcd3';
import { Leadership } from './leadership.js';
import { MemberWatch, type MemberWatchOptions } from './member-watch.js';
import { parseMembershipOptions, type MembershipOptions, type ParsedMembershipOptions } from './options.js';
import { Registration } from './registration.js';

// etcd3 calls `.next()` on this, as on a cockatiel backoff factory; its typings name the older interface.
const WATCH_BACKOFF = new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }) as unknown as ConstructorParameters<typeof Etcd3>[0] extends infer O
  ? O extends { faultHandling?: Partial<{ watchBackoff: infer B }> } ? B : never
  : never;

const bytes = (pem: string | Uint8Array): Buffer => Buffer.from(pem);

/** etcd3's TLS credentials and RBAC user, from the parsed options (the schema checked that `https` comes with `tls.ca`). */
function etcdSecurity({ tls, auth }: ParsedMembershipOptions): Pick<IOptions, 'credentials' | 'auth'> {
  const clientCertificate = tls?.cert !== undefined && tls.key !== undefined ? { certChain: bytes(tls.cert), privateKey: bytes(tls.key) } : {};
  return {
    ...(tls?.ca === undefined ? {} : { credentials: { rootCertificate: bytes(tls.ca), ...clientCertificate } }),
    ...(auth === undefined ? {} : { auth: { username: auth.username, password: auth.password } }),
  };
}

/**
 * One etcd client for a process's membership: `register` puts this process under a lease,
 * `watch` follows every member. Values are JSON; the watcher's `parse` validates them at this edge.
 */
export class Membership {
  /** The key prefix every key of this cluster is under. (The parsed options stay private: they hold the etcd password.) */
  readonly prefix: string;
  readonly #options: ParsedMembershipOptions;
  readonly #client: Etcd3;
  readonly #open = new Set<{ close(): Promise<void> }>();

  constructor(options: MembershipOptions) {
    this.#options = parseMembershipOptions(options);
    this.prefix = this.#options.prefix;
    this.#client = new Etcd3({
      hosts: this.#options.endpoints,
      dialTimeout: this.#options.callTimeoutMs,
      ...etcdSecurity(this.#options),
      // Our own resync and retry loops decide when to try again: no retries or open breakers inside the
      // client that would hold back a recovery, and watch streams re-established within a second.
      faultHandling: { host: () => noop, global: noop, watchBackoff: WATCH_BACKOFF },
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.#options.callTimeoutMs }),
    });
  }

  /** Registers `id` with `value` under a lease kept alive until `close()`; a lost lease is granted again. */
  register(id: string, value: unknown): Registration {
    const registration = new Registration(this.#client, this.#options, id, value);
    this.#track(registration);
    return registration;
  }

  /** Follows every member under the prefix: `joined`, `left`, `degraded` (etcd unreachable: the last set stays), `recovered`. */
  watch<T>(options: MemberWatchOptions<T>): MemberWatch<T> {
    const watch = new MemberWatch<T>(this.#client, this.#options, options);
    this.#track(watch);
    return watch;
  }

  /** Campaigns for the singleton duty `name` (under the prefix), with `value` naming this candidate. */
  campaign(name: string, value: string): Leadership {
    const leadership = new Leadership(this.#client, this.#options, name, value);
    this.#track(leadership);
    return leadership;
  }

  /** The value of the current leader of `name`, or undefined (none, or etcd unreachable). */
  async leader(name: string): Promise<string | undefined> {
    return this.#client.election(`${this.#options.prefix}${name}`).leader().catch(() => undefined);
  }

  /** Closes every registration (revoking its lease) and watch, then the client. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((o) => o.close()));
    this.#client.close();
  }

  #track(o: { close(): Promise<void>; once(event: 'closed', fn: () => void): unknown }): void {
    this.#open.add(o);
    o.once('closed', () => this.#open.delete(o));
  }
}
