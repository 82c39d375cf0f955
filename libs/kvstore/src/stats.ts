/** Counters of the memory tier (the whole store for `memory`, the near cache for `sqlite` and `redis`). */
export interface MemoryStats {
  hits: number;
  misses: number;
  /** Entries pushed out by the `max` or `maxBytes` bound. */
  evictions: number;
  /** Entries found expired and dropped (lru-cache checks TTLs lazily, on access). */
  expirations: number;
  size: number;
  bytes: number;
}

export interface SqliteStats {
  /** Rows in the file, and the sum of their encoded value sizes. */
  entries: number;
  bytes: number;
  /** Writes waiting for the next write-behind flush (always 0 with write-through). */
  pendingWrites: number;
  flushes: number;
  /** Rows deleted to keep the file within `sqlite.maxEntries` / `sqlite.maxBytes`. */
  evictions: number;
  /** Rows found expired on read or purged on open. */
  expirations: number;
  /** Gets answered from the file after a memory miss. */
  hits: number;
}

export interface RedisStats {
  /** True while Redis is unreachable and the store answers from the near cache. */
  degraded: boolean;
  /** How many times the store entered the degraded state. */
  degradedCount: number;
  /** Commands that failed or timed out. */
  failures: number;
  /** Gets answered by Redis after a near-cache miss. */
  hits: number;
  misses: number;
}

/** A snapshot of a store's counters. `hits`/`misses` count every `get` of the store, whichever tier answered. */
export interface StoreStats {
  tier: 'memory' | 'sqlite' | 'redis';
  hits: number;
  misses: number;
  memory: MemoryStats;
  sqlite?: SqliteStats;
  redis?: RedisStats;
}
