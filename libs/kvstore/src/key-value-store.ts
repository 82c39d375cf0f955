import type { AbortLike } from '@infermesh/foundation';
import type { EventEmitter } from 'node:events';
import type { StoreStats } from './stats.js';

export interface SetOptions {
  /** Time to live of this entry in ms; 0 means it never expires. Default: the store's `ttlMs`. */
  ttlMs?: number;
}

/**
 * What one `getOrCompute` call did, filled in by the call (in the manner of lru-cache's `status`):
 * `hit` the value was in the store; `miss` this call ran `compute`; `joined` it shared the result of an
 * identical call already in flight (which may itself have been a hit or a miss).
 */
export interface GetOrComputeStatus {
  outcome?: 'hit' | 'miss' | 'joined';
}

export interface GetOrComputeOptions extends SetOptions {
  /**
   * Stops this caller waiting (rejects with `AbortedError`); see the README for what happens to the
   * computation. An AbortSignal, or anything read like one (`AbortLike`).
   */
  signal?: AbortLike;
  /** Filled in with what the call did: one lookup tells the caller whether it was a hit. */
  status?: GetOrComputeStatus;
}

/** The computation behind `getOrCompute`. Its signal aborts only when every waiter of the flight has aborted. */
export type Compute<V> = (signal: AbortSignal) => V | Promise<V>;

export interface KeyValueStoreEvents {
  /** Redis became unreachable: the store answers from its near cache. */
  degraded: [{ error: Error }];
  /** Redis answers again after a `degraded`. */
  recovered: [];
  /** A write-behind flush to SQLite failed; the batch is lost. */
  'write-error': [Error];
}

/**
 * One async interface over every tier, so code written against it can swap a memory cache for a persistent
 * or shared one. `undefined` is never a stored value: `get` returns it for a miss.
 */
export interface KeyValueStore<V, K = string> extends EventEmitter<KeyValueStoreEvents> {
  readonly tier: 'memory' | 'sqlite' | 'redis';
  get(key: K): Promise<V | undefined>;
  set(key: K, value: V, options?: SetOptions): Promise<void>;
  /** Resolves true if an entry was removed (for Redis: existed there, or in the near cache while degraded). */
  delete(key: K): Promise<boolean>;
  has(key: K): Promise<boolean>;
  /** Removes every entry of this store (for Redis: every key under `keyPrefix`). */
  clear(): Promise<void>;
  /** Returns the cached value, or runs `compute` once per key across concurrent callers and caches its result. */
  getOrCompute(key: K, compute: Compute<V>, options?: GetOrComputeOptions): Promise<V>;
  stats(): Promise<StoreStats>;
  /** Flushes pending writes, releases files and connections. Idempotent; later calls reject with `StoreClosedError`. */
  close(): Promise<void>;
}
