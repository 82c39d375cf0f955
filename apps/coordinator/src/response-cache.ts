import type { TensorMap } from '@infermesh/contracts';
import { createStore, type GetOrComputeStatus, type KeyValueStore, type StoreStats } from '@infermesh/kvstore';

/** What the cache keeps of an answer: the outputs and the worker that computed them. */
export interface CachedAnswer {
  outputs: TensorMap;
  workerId: string;
}

export type CacheConfig =
  | { tier: 'off' }
  | { tier: 'memory'; maxEntries: number; maxBytes: number; ttlMs?: number | undefined }
  | { tier: 'sqlite'; maxEntries: number; maxBytes: number; file: string; ttlMs?: number | undefined }
  | { tier: 'redis'; maxEntries: number; maxBytes: number; redisUrl: string; ttlMs?: number | undefined };

export interface CacheStats {
  tier: string;
  hits: number;
  misses: number;
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
          : await createStore<CachedAnswer>({ tier: 'redis', ...memory, redis: { url: config.redisUrl, keyPrefix: 'infermesh:response:' } });
    return new ResponseCache(store, config.tier, config.ttlMs);
  }

  /**
   * The cached answer for `key`, or the computed one (stored for `ttlMs` unless it throws): one
   * lookup in the store. A caller that joins an identical computation in flight counts as a miss.
   */
  async through(key: string, ttlMs: number, compute: () => Promise<CachedAnswer>, signal?: AbortSignal): Promise<{ answer: CachedAnswer; hit: boolean }> {
    const status: GetOrComputeStatus = {};
    const ttl = Math.min(ttlMs, this.#maxTtlMs ?? Infinity);
    const answer = await this.#store.getOrCompute(key, () => compute(), { ttlMs: ttl, status, ...(signal ? { signal } : {}) });
    const hit = status.outcome === 'hit';
    if (hit) this.#hits++;
    else this.#misses++;
    return { answer, hit };
  }

  async stats(): Promise<CacheStats> {
    return { tier: this.#tier, hits: this.#hits, misses: this.#misses, store: await this.#store.stats() };
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
