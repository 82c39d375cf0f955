import type { KeyValueStore } from './key-value-store.js';
import { MemoryStore } from './memory-store.js';
import { parseOptions, StoreOptionsSchema, type MemoryStoreOptions, type RedisStoreOptions, type SqliteStoreOptions, type StoreOptions } from './options.js';
import { RedisStore } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * Builds a store for the tier named in `options.tier`. Options are validated once, here, against the
 * discriminated union `StoreOptionsSchema`. Async because the SQLite and Redis tiers load their driver lazily
 * and open a file or a connection.
 */
export function createStore<V, K = string>(options: MemoryStoreOptions<V, K> & { tier: 'memory' }): Promise<MemoryStore<V, K>>;
export function createStore<V, K = string>(options: SqliteStoreOptions<V, K>): Promise<SqliteStore<V, K>>;
export function createStore<V, K = string>(options: RedisStoreOptions<V, K>): Promise<RedisStore<V, K>>;
export function createStore<V, K = string>(options: StoreOptions<V, K>): Promise<KeyValueStore<V, K>>;
export async function createStore<V, K = string>(options: StoreOptions<V, K>): Promise<KeyValueStore<V, K>> {
  const parsed = parseOptions(StoreOptionsSchema, options, 'kvstore');
  switch (parsed.tier) {
    case 'memory':
      return new MemoryStore<V, K>(options as MemoryStoreOptions<V, K>);
    case 'sqlite':
      return SqliteStore.open<V, K>(options as SqliteStoreOptions<V, K>);
    case 'redis':
      return RedisStore.open<V, K>(options as RedisStoreOptions<V, K>);
  }
}
