export { createStore } from './create-store.js';
export { MemoryStore } from './memory-store.js';
export { SqliteStore } from './sqlite-store.js';
export { RedisStore } from './redis-store.js';
export type { MemorySetOptions } from './memory-store.js';
export { msgpackCodec, jsonCodec } from './codec.js';
export type { Codec } from './codec.js';
export type { KeyValueStore, KeyValueStoreEvents, SetOptions, GetOrComputeOptions, GetOrComputeStatus, Compute } from './key-value-store.js';
export type { StoreStats, MemoryStats, SqliteStats, RedisStats } from './stats.js';
export {
  MemoryStoreOptionsSchema, SqliteStoreOptionsSchema, RedisStoreOptionsSchema, SqliteOptionsSchema, RedisOptionsSchema,
  StoreOptionsSchema,
} from './options.js';
export type {
  Clock, MemoryStoreOptions, SqliteStoreOptions, RedisStoreOptions, StoreOptions, SqliteOptions, RedisOptions,
} from './options.js';
export { Singleflight } from './singleflight.js';
export {
  KV_STORE_ERROR_CODES, KvStoreError, StoreClosedError, ValueTooLargeError, CodecError, BackendUnavailableError,
  AbortedError, PersistenceError,
} from './errors.js';
export type { KvStoreErrorCode } from './errors.js';
