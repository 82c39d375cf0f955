import type { AbortLike } from '@infermesh/foundation';
import type { TensorMap } from '@infermesh/contracts';
import { createStore, type GetOrComputeStatus, type KeyValueStore, type RedisOptions, type StoreStats } from '@infermesh/kvstore';

/** What the cache keeps of an answer: the outputs and the worker that computed them. */
export interface CachedAnswer {
  outputs: TensorMap;
  workerId: string;
  /**
   * The worker connections that computed it (model worker, processors). An answer from a connection
   * ejected since (it broke its model's contract) is dropped when looked up. Absent in older entries.
   */
  connections?: string[];
}

export type CacheConfig =
  | { tier: 'off' }
  | { tier: 'memory'; maxEntries: number; maxBytes: number; ttlMs?: number | undefined }
  | { tier: 'sqlite'; maxEntries: number; maxBytes: number; file: string; ttlMs?: number | undefined }
  | {
      tier: 'redis'; maxEntries: number; maxBytes: number; redisUrl: string; ttlMs?: number | undefined;
      /** The connection's TLS and password (from the coordinator's `redis` settings). */
      redis?: Pick<RedisOptions, 'tls' | 'password'> | undefined;
    };

export interface CacheStats {
  tier: string;
  hits: number;
  misses: number;
  /** Answers of ejected workers dropped when looked up. */
  dropped: number;
  store: StoreStats;
}

/**
 * The coordinator's response cache on @infermesh/kvstore: memory, memory + SQLite file, or Redis
 * shared by several coordinators. Identical requests in flight at once run the model once
 * (`getOrCompute` is a singleflight); a failure is never stored.
 */
export class ResponseCache {
  readonly #store: KeyValueStore<CachedAnswer>;
  readonly #tier: string;
  readonly #maxTtlMs: number | undefined;
  /** Connections of ejected workers: their answers are not served from here again. */
  readonly #ejected = new Set<string>();
  #dropped = 0;
  #hits = 0;
  #misses = 0;

  private constructor(store: KeyValueStore<CachedAnswer>, tier: string, maxTtlMs: number | undefined) {
    this.#store = store;
    this.#tier = tier;
    this.#maxTtlMs = maxTtlMs;
  }

  static async open(config: CacheConfig): Promise<ResponseCache | undefined> {
    if (config.tier === 'off') return undefined;
    const memory = { max: config.maxEntries, maxBytes: config.maxBytes };
    const store =
      config.tier === 'memory'
        ? await createStore<CachedAnswer>({ tier: 'memory', ...memory })
        : config.tier === 'sqlite'
          ? await createStore<CachedAnswer>({
              tier: 'sqlite', ...memory, sqlite: { path: config.file, maxEntries: config.maxEntries, maxBytes: config.maxBytes },
            })
          : await createStore<CachedAnswer>({ tier: 'redis', ...memory, redis: { ...config.redis, url: config.redisUrl, keyPrefix: 'infermesh:response:' } });
    return new ResponseCache(store, config.tier, config.ttlMs);
  }

  /**
   * The cached answer for `key`, or the computed one (stored for `ttlMs` unless it throws): one
   * lookup in the store. A caller that joins an identical computation in flight counts as a miss.
   */
  async through(key: string, ttlMs: number, compute: () => Promise<CachedAnswer>, signal?: AbortLike): Promise<{ answer: CachedAnswer; hit: boolean }> {
    const ttl = Math.min(ttlMs, this.#maxTtlMs ?? Infinity);
    let status: GetOrComputeStatus = {};
    let answer = await this.#store.getOrCompute(key, () => compute(), { ttlMs: ttl, status, ...(signal ? { signal } : {}) });
    if (status.outcome === 'hit' && this.#fromEjected(answer)) {
      // Dropped on sight and computed again: one Set lookup per hit is all the ejections cost the cache.
      this.#dropped++;
      await this.#store.delete(key);
      status = {};
      answer = await this.#store.getOrCompute(key, () => compute(), { ttlMs: ttl, status, ...(signal ? { signal } : {}) });
    }
    const hit = status.outcome === 'hit';
    if (hit) this.#hits++;
    else this.#misses++;
    return { answer, hit };
  }

  /** Answers computed over this worker connection are not served again (they are dropped as they are looked up). */
  dropFrom(connection: string): void {
    this.#ejected.add(connection);
  }

  #fromEjected(answer: CachedAnswer): boolean {
    if (this.#ejected.size === 0) return false;
    return answer.connections?.some((c) => this.#ejected.has(c)) ?? false;
  }

  async stats(): Promise<CacheStats> {
    return { tier: this.#tier, hits: this.#hits, misses: this.#misses, dropped: this.#dropped, store: await this.#store.stats() };
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
