import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { decodeEntry, encodeEntry, msgpackCodec, type Codec } from './codec.js';
import { BackendUnavailableError, StoreClosedError, ValueTooLargeError } from './errors.js';
import type { Compute, GetOrComputeOptions, KeyValueStore, KeyValueStoreEvents, SetOptions } from './key-value-store.js';
import { MemoryStore } from './memory-store.js';
import { parseOptions, RedisStoreOptionsSchema, type ParsedRedisOptions, type RedisStoreOptions } from './options.js';
import { computeThrough, Singleflight } from './singleflight.js';
import type { StoreStats } from './stats.js';

/** ioredis's `tls` (node's `tls.connect` options) from PEM text or bytes. */
function tlsOptions(tls: NonNullable<ParsedRedisOptions['tls']>): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  return {
    ...(tls.ca === undefined ? {} : { ca: Buffer.from(tls.ca) }),
    ...(tls.cert === undefined || tls.key === undefined ? {} : { cert: Buffer.from(tls.cert), key: Buffer.from(tls.key) }),
  };
}

/** What `#call` returns when Redis could not answer and the store degrades instead of throwing. */
const UNAVAILABLE = Symbol('unavailable');

/**
 * Redis shared by several processes, with the memory tier as a near cache in front of it. A near-cache entry
 * is served for at most `nearCacheTtlMs` without asking Redis: that is the staleness bound. While Redis is
 * unreachable the store answers from the near cache (`degraded`), and every command is bounded by
 * `commandTimeoutMs` with no offline queue, so no request waits for a reconnect.
 */
export class RedisStore<V, K = string> extends EventEmitter<KeyValueStoreEvents> implements KeyValueStore<V, K> {
  readonly tier = 'redis' as const;
  readonly #client: Redis;
  readonly #near: MemoryStore<V, string> | undefined;
  readonly #opts: ParsedRedisOptions;
  readonly #codec: Codec<V>;
  readonly #ttlMs: number;
  readonly #toKey: ((key: K) => string) | undefined;
  readonly #flights = new Singleflight<V>();
  readonly #target = { get: (k: string) => this.#get(k), set: (k: string, v: V, ttl: number | undefined) => this.#set(k, v, ttl) };
  #degraded = false;
  #degradedCount = 0;
  #failures = 0;
  #hits = 0;
  #misses = 0;
  #remoteHits = 0;
  #remoteMisses = 0;
  #closed = false;
  /** Before `open` returns nobody can listen yet: the state changes, the event waits for `open`. */
  #opened = false;

  /**
   * Connects (ioredis is loaded here, not at import). If Redis does not answer within `connectTimeoutMs`, the
   * store starts degraded (a `degraded` event follows on the next turn), or rejects with
   * `BackendUnavailableError` under `onUnavailable: 'throw'`.
   */
  static async open<V, K = string>(options: RedisStoreOptions<V, K>): Promise<RedisStore<V, K>> {
    const o = parseOptions(RedisStoreOptionsSchema, options, 'kvstore');
    const r = o.redis;
    const { Redis: RedisCtor } = await import('ioredis');
    const clientOptions = {
      host: r.host,
      port: r.port,
      db: r.db,
      ...(r.password === undefined ? {} : { password: r.password }),
      ...(r.tls === undefined ? {} : { tls: tlsOptions(r.tls) }),
      enableOfflineQueue: false,
      maxRetriesPerRequest: r.maxRetriesPerRequest,
      commandTimeout: r.commandTimeoutMs,
      connectTimeout: r.connectTimeoutMs,
      retryStrategy: (times: number) => Math.min(times * 50, r.reconnectMaxDelayMs),
    };
    const client = r.url === undefined ? new RedisCtor(clientOptions) : new RedisCtor(r.url, clientOptions);
    const near =
      r.nearCacheTtlMs === 0
        ? undefined
        : new MemoryStore<V, string>({
            max: o.max,
            ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
            ttlMs: r.nearCacheTtlMs,
            ...(o.clock === undefined ? {} : { clock: o.clock }),
          });
    const store = new RedisStore<V, K>(o, client, near);
    const error = await store.#whenReady(r.connectTimeoutMs);
    if (error !== undefined && r.onUnavailable === 'throw') {
      store.#closed = true;
      client.disconnect();
      throw new BackendUnavailableError('connect', { cause: error });
    }
    if (error !== undefined) store.#degrade(error);
    store.#opened = true;
    if (store.#degraded) {
      const reason = error ?? new Error('redis connection lost while opening');
      setImmediate(() => {
        if (store.#degraded && !store.#closed) store.emit('degraded', { error: reason });
      });
    }
    return store;
  }

  private constructor(o: ReturnType<typeof RedisStoreOptionsSchema.parse>, client: Redis, near: MemoryStore<V, string> | undefined) {
    super();
    this.#client = client;
    this.#near = near;
    this.#opts = o.redis;
    this.#codec = (o.codec as Codec<V> | undefined) ?? msgpackCodec<V>();
    this.#ttlMs = o.ttlMs;
    this.#toKey = o.keyToString as ((key: K) => string) | undefined;
    // ioredis reports connection failures as 'error' events; the store reports them as `degraded` instead.
    client.on('error', () => {});
    client.on('close', () => {
      if (!this.#closed) this.#degrade(new Error('connection to redis closed'));
    });
    client.on('ready', () => this.#recover());
  }

  get(key: K): Promise<V | undefined> {
    return this.#get(this.#key(key));
  }

  set(key: K, value: V, options?: SetOptions): Promise<void> {
    return this.#set(this.#key(key), value, options?.ttlMs);
  }

  async delete(key: K): Promise<boolean> {
    this.#assertOpen();
    const k = this.#key(key);
    const inNear = this.#near?.deleteSync(k) ?? false;
    const removed = await this.#call('delete', () => this.#client.del(this.#opts.keyPrefix + k));
    return removed === UNAVAILABLE ? inNear : removed > 0;
  }

  async has(key: K): Promise<boolean> {
    this.#assertOpen();
    const k = this.#key(key);
    if (this.#near?.hasSync(k) === true) return true;
    const found = await this.#call('has', () => this.#client.exists(this.#opts.keyPrefix + k));
    return found !== UNAVAILABLE && found > 0;
  }

  /** Deletes every key under `keyPrefix` (SCAN + UNLINK; never FLUSHDB, other data may share the database). */
  async clear(): Promise<void> {
    this.#assertOpen();
    await this.#near?.clear();
    await this.#call('clear', async () => {
      let cursor = '0';
      do {
        const [next, keys] = await this.#client.scan(cursor, 'MATCH', `${escapeGlob(this.#opts.keyPrefix)}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await this.#client.unlink(...keys);
      } while (cursor !== '0');
    });
  }

  getOrCompute(key: K, compute: Compute<V>, options?: GetOrComputeOptions): Promise<V> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    return computeThrough(this.#flights, this.#target, this.#key(key), compute, options?.ttlMs, options?.signal, options?.status);
  }

  async stats(): Promise<StoreStats> {
    const memory = this.#near?.memoryStats() ?? { hits: 0, misses: 0, evictions: 0, expirations: 0, size: 0, bytes: 0 };
    return {
      tier: 'redis',
      hits: this.#hits,
      misses: this.#misses,
      memory,
      redis: {
        degraded: this.#degraded,
        degradedCount: this.#degradedCount,
        failures: this.#failures,
        hits: this.#remoteHits,
        misses: this.#remoteMisses,
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#near?.close();
    if (this.#client.status === 'ready') {
      await Promise.race([this.#client.quit().catch(() => undefined), new Promise((r) => setTimeout(r, this.#opts.commandTimeoutMs))]);
    }
    this.#client.disconnect();
  }

  #key(key: K): string {
    return this.#toKey === undefined ? (key as string) : this.#toKey(key);
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError();
  }

  async #get(k: string): Promise<V | undefined> {
    this.#assertOpen();
    const near = this.#near?.getSync(k);
    if (near !== undefined) {
      this.#hits += 1;
      return near;
    }
    const bytes = await this.#call('get', () => this.#client.getBuffer(this.#opts.keyPrefix + k));
    if (bytes === UNAVAILABLE || bytes === null) {
      if (bytes === null) this.#remoteMisses += 1;
      this.#misses += 1;
      return undefined;
    }
    const value = decodeEntry(this.#codec, k, bytes);
    this.#remember(k, value, this.#opts.nearCacheTtlMs, bytes.byteLength);
    this.#remoteHits += 1;
    this.#hits += 1;
    return value;
  }

  async #set(k: string, value: V, ttlMs: number | undefined): Promise<void> {
    this.#assertOpen();
    if (value === undefined) throw new TypeError(`cannot store undefined for "${k}": undefined means a miss`);
    const ttl = ttlMs ?? this.#ttlMs;
    const buffer = encodeEntry(this.#codec, k, value);
    const redisKey = this.#opts.keyPrefix + k;
    await this.#call('set', () => (ttl > 0 ? this.#client.set(redisKey, buffer, 'PX', ttl) : this.#client.set(redisKey, buffer)));
    const near = this.#opts.nearCacheTtlMs;
    this.#remember(k, value, ttl > 0 ? Math.min(ttl, near) : near, buffer.byteLength);
  }

  #remember(k: string, value: V, ttlMs: number, size: number): void {
    if (this.#near === undefined) return;
    try {
      this.#near.setSync(k, value, { ttlMs, size });
    } catch (error) {
      if (!(error instanceof ValueTooLargeError)) throw error;
      this.#near.deleteSync(k);
    }
  }

  /**
   * Runs one command. Without a ready connection it is not sent at all (no offline queue); a failure or a
   * timeout degrades the store. Redis's own error replies (wrong type, …) are not outages and are rethrown.
   */
  async #call<T>(operation: string, command: () => Promise<T>): Promise<T | typeof UNAVAILABLE> {
    if (this.#client.status !== 'ready') return this.#unavailable(operation, new Error(`redis connection is ${this.#client.status}`));
    try {
      const result = await command();
      if (this.#degraded) this.#recover();
      return result;
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError') throw error;
      this.#failures += 1;
      return this.#unavailable(operation, error instanceof Error ? error : new Error(String(error)));
    }
  }

  #unavailable(operation: string, error: Error): typeof UNAVAILABLE {
    this.#degrade(error);
    if (this.#opts.onUnavailable === 'throw') throw new BackendUnavailableError(operation, { cause: error });
    return UNAVAILABLE;
  }

  #degrade(error: Error): void {
    if (this.#degraded || this.#closed) return;
    this.#degraded = true;
    this.#degradedCount += 1;
    if (this.#opened) this.emit('degraded', { error });
  }

  #recover(): void {
    if (!this.#degraded || this.#closed) return;
    this.#degraded = false;
    if (this.#opened) this.emit('recovered');
  }

  #whenReady(timeoutMs: number): Promise<Error | undefined> {
    if (this.#client.status === 'ready') return Promise.resolve(undefined);
    return new Promise((resolve) => {
      let lastError: Error | undefined;
      const onError = (error: Error) => {
        lastError = error;
      };
      const finish = (error: Error | undefined) => {
        clearTimeout(timer);
        this.#client.off('ready', onReady);
        this.#client.off('error', onError);
        resolve(error);
      };
      const onReady = () => finish(undefined);
      const timer = setTimeout(() => finish(lastError ?? new Error(`redis not ready within ${timeoutMs} ms`)), timeoutMs);
      this.#client.on('ready', onReady);
      this.#client.on('error', onError);
    });
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
