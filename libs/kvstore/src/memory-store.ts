import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { msgpackCodec, type Codec } from './codec.js';
import { CodecError, StoreClosedError, ValueTooLargeError } from './errors.js';
import type { Compute, GetOrComputeOptions, KeyValueStore, KeyValueStoreEvents, SetOptions } from './key-value-store.js';
import { MemoryStoreOptionsSchema, parseOptions, type MemoryStoreOptions } from './options.js';
import { computeThrough, Singleflight } from './singleflight.js';
import type { MemoryStats, StoreStats } from './stats.js';

export interface MemorySetOptions extends SetOptions {
  /** The value's size in bytes when the caller already knows it (skips `sizeOf` / encoding). */
  size?: number;
}

/**
 * The memory tier: an LRU on `lru-cache`, bounded by entries and optionally bytes, with TTLs from lru-cache
 * itself (driven by the injected clock). Values are held by reference, not copied.
 *
 * The `*Sync` methods are the hot path (no promise, no allocation on a plain get/set); the async methods
 * wrap them for the common interface. The SQLite and Redis stores use one of these as their memory tier.
 */
export class MemoryStore<V, K = string> extends EventEmitter<KeyValueStoreEvents> implements KeyValueStore<V, K> {
  readonly tier = 'memory' as const;
  readonly #lru: LRUCache<string, object>;
  readonly #toKey: ((key: K) => string) | undefined;
  readonly #maxBytes: number;
  readonly #sizeOf: ((value: V) => number) | undefined;
  readonly #codec: Codec<V>;
  readonly #flights = new Singleflight<V>();
  /** Reused for every set: lru-cache reads it synchronously, so one object saves an allocation per call. */
  readonly #setOptions: { ttl: number | undefined; size: number | undefined } = { ttl: undefined, size: undefined };
  readonly #target = { get: (k: string) => Promise.resolve(this.#get(k)), set: (k: string, v: V, ttl: number | undefined) => this.#setAsync(k, v, ttl) };
  #hits = 0;
  #misses = 0;
  #evictions = 0;
  #expirations = 0;
  #closed = false;

  constructor(options: MemoryStoreOptions<V, K> = {} as MemoryStoreOptions<V, K>) {
    super();
    const o = parseOptions(MemoryStoreOptionsSchema, options, 'kvstore');
    this.#toKey = o.keyToString as ((key: K) => string) | undefined;
    this.#maxBytes = o.maxBytes ?? 0;
    this.#sizeOf = o.sizeOf as ((value: V) => number) | undefined;
    this.#codec = (o.codec as Codec<V> | undefined) ?? msgpackCodec<V>();
    this.#lru = new LRUCache<string, object>({
      max: o.max,
      ...(o.maxBytes === undefined ? {} : { maxSize: o.maxBytes }),
      ...(o.ttlMs > 0 ? { ttl: o.ttlMs } : {}),
      // An injected clock is read on every check; lru-cache's own 1 ms memo of now() would lag a fake clock.
      ...(o.clock === undefined ? {} : { perf: o.clock, ttlResolution: 0 }),
      noDisposeOnSet: true,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.#evictions += 1;
        else if (reason === 'expire') this.#expirations += 1;
      },
    });
  }

  getSync(key: K): V | undefined {
    return this.#get(this.#toKey === undefined ? (key as string) : this.#toKey(key));
  }

  setSync(key: K, value: V, options?: MemorySetOptions): void {
    if (options === undefined && this.#maxBytes === 0 && !this.#closed && value !== undefined) {
      // The common case: no TTL override, no size accounting. Straight to lru-cache.
      this.#lru.set(this.#toKey === undefined ? (key as string) : this.#toKey(key), value as object);
      return;
    }
    this.#set(this.#toKey === undefined ? (key as string) : this.#toKey(key), value, options?.ttlMs, options?.size);
  }

  hasSync(key: K): boolean {
    if (this.#closed) throw new StoreClosedError();
    return this.#lru.has(this.#toKey === undefined ? (key as string) : this.#toKey(key));
  }

  deleteSync(key: K): boolean {
    if (this.#closed) throw new StoreClosedError();
    return this.#lru.delete(this.#toKey === undefined ? (key as string) : this.#toKey(key));
  }

  /** Remaining TTL in ms: `undefined` if absent, `Infinity` if it never expires. */
  remainingTtlSync(key: K): number | undefined {
    const k = this.#toKey === undefined ? (key as string) : this.#toKey(key);
    if (!this.#lru.has(k)) return undefined;
    const ms = this.#lru.getRemainingTTL(k);
    return ms === 0 ? Number.POSITIVE_INFINITY : ms;
  }

  get(key: K): Promise<V | undefined> {
    try {
      return Promise.resolve(this.getSync(key));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  set(key: K, value: V, options?: SetOptions): Promise<void> {
    try {
      this.setSync(key, value, options);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(key: K): Promise<boolean> {
    try {
      return Promise.resolve(this.deleteSync(key));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  has(key: K): Promise<boolean> {
    try {
      return Promise.resolve(this.hasSync(key));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async clear(): Promise<void> {
    if (this.#closed) throw new StoreClosedError();
    this.#lru.clear();
  }

  getOrCompute(key: K, compute: Compute<V>, options?: GetOrComputeOptions): Promise<V> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    const k = this.#toKey === undefined ? (key as string) : this.#toKey(key);
    // A hit needs no flight.
    const hit = this.#lru.get(k);
    if (hit !== undefined) {
      this.#hits += 1;
      if (options?.status) options.status.outcome = 'hit';
      return Promise.resolve(hit as V);
    }
    return computeThrough(this.#flights, this.#target, k, compute, options?.ttlMs, options?.signal, options?.status);
  }

  memoryStats(): MemoryStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      expirations: this.#expirations,
      size: this.#lru.size,
      bytes: this.#lru.calculatedSize,
    };
  }

  async stats(): Promise<StoreStats> {
    return { tier: 'memory', hits: this.#hits, misses: this.#misses, memory: this.memoryStats() };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lru.clear();
  }

  #get(k: string): V | undefined {
    if (this.#closed) throw new StoreClosedError();
    const value = this.#lru.get(k);
    if (value === undefined) this.#misses += 1;
    else this.#hits += 1;
    return value as V | undefined;
  }

  #set(k: string, value: V, ttlMs: number | undefined, size: number | undefined): void {
    if (this.#closed) throw new StoreClosedError();
    if (value === undefined) throw new TypeError(`cannot store undefined for "${k}": undefined means a miss`);
    const o = this.#setOptions;
    o.ttl = ttlMs;
    if (this.#maxBytes > 0) {
      const bytes = size ?? this.#measure(k, value);
      if (bytes > this.#maxBytes) throw new ValueTooLargeError(k, bytes, this.#maxBytes);
      o.size = bytes;
    }
    this.#lru.set(k, value as object, o);
  }

  #setAsync(k: string, value: V, ttlMs: number | undefined): Promise<void> {
    try {
      this.#set(k, value, ttlMs, undefined);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #measure(k: string, value: V): number {
    if (this.#sizeOf !== undefined) return Math.max(1, Math.ceil(this.#sizeOf(value)));
    try {
      return this.#codec.encode(value).byteLength;
    } catch (error) {
      throw new CodecError('encode', k, { cause: error });
    }
  }
}
