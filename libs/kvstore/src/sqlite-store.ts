import { EventEmitter } from 'node:events';
import type BetterSqlite3 from 'better-sqlite3';
import { decodeEntry, encodeEntry, msgpackCodec, type Codec } from './codec.js';
import { PersistenceError, StoreClosedError, ValueTooLargeError } from './errors.js';
import type { Compute, GetOrComputeOptions, KeyValueStore, KeyValueStoreEvents, SetOptions } from './key-value-store.js';
import { MemoryStore } from './memory-store.js';
import { parseOptions, SqliteStoreOptionsSchema, type Clock, type ParsedSqliteOptions, type SqliteStoreOptions } from './options.js';
import { computeThrough, Singleflight } from './singleflight.js';
import type { StoreStats } from './stats.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;
interface Row {
  value: Buffer;
  bytes: number;
  expires_at: number | null;
}
/** A write waiting for the next write-behind flush; `null` is a delete. */
type Pending = { bytes: Uint8Array; expiresAt: number | null } | null;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    bytes INTEGER NOT NULL,
    expires_at INTEGER,
    used_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS kv_used_at ON kv (used_at);
`;

/**
 * The memory tier in front of a SQLite file (better-sqlite3, WAL). Writes go to both tiers, through (one
 * transaction per write) or behind (batched); reads miss in memory, then read through the file and warm memory.
 * Expiry times are absolute (by the clock), so a restart never serves an expired entry. Like lru-cache, an
 * entry is expired once more than its TTL has passed. The file is bounded by
 * rows and bytes, evicting the least recently used row (use = written, or read from the file).
 */
export class SqliteStore<V, K = string> extends EventEmitter<KeyValueStoreEvents> implements KeyValueStore<V, K> {
  readonly tier = 'sqlite' as const;
  readonly #memory: MemoryStore<V, string>;
  readonly #db: Database;
  readonly #opts: ParsedSqliteOptions;
  readonly #codec: Codec<V>;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #toKey: ((key: K) => string) | undefined;
  readonly #flights = new Singleflight<V>();
  readonly #pending = new Map<string, Pending>();
  readonly #target = { get: (k: string) => this.#get(k), set: (k: string, v: V, ttl: number | undefined) => this.#set(k, v, ttl) };
  readonly #sql: Record<'get' | 'exists' | 'touch' | 'size' | 'upsert' | 'del' | 'oldest' | 'purge' | 'totals' | 'clear', Statement>;
  readonly #writeOne: (k: string, p: Pending) => void;
  readonly #writeMany: (entries: [string, Pending][]) => void;
  #timer: NodeJS.Timeout | undefined;
  #tick = 0;
  #entries = 0;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #fileHits = 0;
  #flushes = 0;
  #evictions = 0;
  #expirations = 0;
  #closed = false;

  /** Opens (or creates) the file. better-sqlite3 is loaded here, not at import, so memory-only users never load it. */
  static async open<V, K = string>(options: SqliteStoreOptions<V, K>): Promise<SqliteStore<V, K>> {
    const o = parseOptions(SqliteStoreOptionsSchema, options, 'kvstore');
    let db: Database;
    try {
      const { default: DatabaseCtor } = await import('better-sqlite3');
      db = new DatabaseCtor(o.sqlite.path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${o.sqlite.synchronous.toUpperCase()}`);
      db.exec(SCHEMA);
    } catch (error) {
      throw new PersistenceError(`could not open SQLite file "${o.sqlite.path}"`, { cause: error });
    }
    const memory = new MemoryStore<V, string>({
      max: o.max,
      ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
      ttlMs: o.ttlMs,
      ...(o.clock === undefined ? {} : { clock: o.clock }),
    });
    return new SqliteStore<V, K>(o, db, memory);
  }

  private constructor(o: ReturnType<typeof SqliteStoreOptionsSchema.parse>, db: Database, memory: MemoryStore<V, string>) {
    super();
    this.#db = db;
    this.#memory = memory;
    this.#opts = o.sqlite;
    this.#codec = (o.codec as Codec<V> | undefined) ?? msgpackCodec<V>();
    this.#clock = o.clock ?? Date;
    this.#ttlMs = o.ttlMs;
    this.#toKey = o.keyToString as ((key: K) => string) | undefined;
    this.#sql = {
      get: db.prepare('SELECT value, bytes, expires_at FROM kv WHERE key = ?'),
      exists: db.prepare('SELECT expires_at FROM kv WHERE key = ?'),
      touch: db.prepare('UPDATE kv SET used_at = ? WHERE key = ?'),
      size: db.prepare('SELECT bytes FROM kv WHERE key = ?').pluck(),
      upsert: db.prepare(
        `INSERT INTO kv (key, value, bytes, expires_at, used_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes,
           expires_at = excluded.expires_at, used_at = excluded.used_at`,
      ),
      del: db.prepare('DELETE FROM kv WHERE key = ? RETURNING bytes').pluck(),
      oldest: db.prepare('SELECT key FROM kv ORDER BY used_at LIMIT ?').pluck(),
      purge: db.prepare('DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at < ?'),
      totals: db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b, coalesce(max(used_at), 0) AS t FROM kv'),
      clear: db.prepare('DELETE FROM kv'),
    };
    this.#writeOne = db.transaction((k: string, p: Pending) => {
      this.#apply(k, p);
      this.#enforceBounds();
    });
    this.#writeMany = db.transaction((entries: [string, Pending][]) => {
      for (const [k, p] of entries) this.#apply(k, p);
      this.#enforceBounds();
    });
    this.#expirations += this.#sql.purge.run(this.#clock.now()).changes;
    const totals = this.#sql.totals.get() as { n: number; b: number; t: number };
    this.#entries = totals.n;
    this.#bytes = totals.b;
    this.#tick = totals.t;
    db.transaction(() => this.#enforceBounds())();
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
    const inMemory = this.#memory.deleteSync(k);
    if (this.#opts.writeMode === 'behind') {
      const had = this.#pending.has(k) ? this.#pending.get(k) !== null : this.#sql.exists.get(k) !== undefined;
      this.#queue(k, null);
      return inMemory || had;
    }
    const before = this.#entries;
    this.#persist(() => this.#writeOne(k, null));
    return inMemory || this.#entries < before;
  }

  async has(key: K): Promise<boolean> {
    this.#assertOpen();
    const k = this.#key(key);
    if (this.#memory.hasSync(k)) return true;
    const now = this.#clock.now();
    if (this.#pending.has(k)) {
      const p = this.#pending.get(k);
      return p != null && (p.expiresAt === null || p.expiresAt >= now);
    }
    const row = this.#sql.exists.get(k) as { expires_at: number | null } | undefined;
    return row !== undefined && (row.expires_at === null || row.expires_at >= now);
  }

  async clear(): Promise<void> {
    this.#assertOpen();
    this.#pending.clear();
    await this.#memory.clear();
    this.#persist(() => this.#sql.clear.run());
    this.#entries = 0;
    this.#bytes = 0;
  }

  getOrCompute(key: K, compute: Compute<V>, options?: GetOrComputeOptions): Promise<V> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    return computeThrough(this.#flights, this.#target, this.#key(key), compute, options?.ttlMs, options?.signal, options?.status);
  }

  /** Writes every pending write-behind entry now, in one transaction. A no-op with write-through. */
  async flush(): Promise<void> {
    this.#assertOpen();
    this.#flush();
  }

  async stats(): Promise<StoreStats> {
    return {
      tier: 'sqlite',
      hits: this.#hits,
      misses: this.#misses,
      memory: this.#memory.memoryStats(),
      sqlite: {
        entries: this.#entries,
        bytes: this.#bytes,
        pendingWrites: this.#pending.size,
        flushes: this.#flushes,
        evictions: this.#evictions,
        expirations: this.#expirations,
        hits: this.#fileHits,
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#flush();
    } finally {
      this.#closed = true;
      clearTimeout(this.#timer);
      this.#db.close();
      await this.#memory.close();
    }
  }

  #key(key: K): string {
    return this.#toKey === undefined ? (key as string) : this.#toKey(key);
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreClosedError();
  }

  async #get(k: string): Promise<V | undefined> {
    this.#assertOpen();
    const hit = this.#memory.getSync(k);
    if (hit !== undefined) {
      this.#hits += 1;
      return hit;
    }
    const now = this.#clock.now();
    let bytes: Uint8Array | undefined;
    let expiresAt: number | null = null;
    if (this.#pending.has(k)) {
      const p = this.#pending.get(k);
      if (p != null) ({ bytes, expiresAt } = p);
    } else {
      const row = this.#sql.get.get(k) as Row | undefined;
      if (row !== undefined) ({ value: bytes, expires_at: expiresAt } = row);
      if (row !== undefined && (expiresAt === null || expiresAt >= now)) this.#sql.touch.run(++this.#tick, k);
    }
    if (bytes === undefined || (expiresAt !== null && expiresAt < now)) {
      if (bytes !== undefined) this.#expire(k);
      this.#misses += 1;
      return undefined;
    }
    const value = decodeEntry(this.#codec, k, bytes);
    this.#remember(k, value, expiresAt === null ? 0 : Math.max(1, expiresAt - now), bytes.byteLength);
    this.#hits += 1;
    this.#fileHits += 1;
    return value;
  }

  async #set(k: string, value: V, ttlMs: number | undefined): Promise<void> {
    this.#assertOpen();
    if (value === undefined) throw new TypeError(`cannot store undefined for "${k}": undefined means a miss`);
    const ttl = ttlMs ?? this.#ttlMs;
    const bytes = encodeEntry(this.#codec, k, value);
    if (bytes.byteLength > this.#opts.maxBytes) throw new ValueTooLargeError(k, bytes.byteLength, this.#opts.maxBytes);
    const pending: Pending = { bytes, expiresAt: ttl > 0 ? this.#clock.now() + ttl : null };
    if (this.#opts.writeMode === 'behind') this.#queue(k, pending);
    else this.#persist(() => this.#writeOne(k, pending));
    this.#remember(k, value, ttl, bytes.byteLength);
  }

  /** Caches in memory; a value over the memory tier's byte bound is served from the file instead. */
  #remember(k: string, value: V, ttlMs: number, size: number): void {
    try {
      this.#memory.setSync(k, value, { ttlMs, size });
    } catch (error) {
      if (!(error instanceof ValueTooLargeError)) throw error;
      this.#memory.deleteSync(k);
    }
  }

  #expire(k: string): void {
    this.#expirations += 1;
    if (this.#opts.writeMode === 'behind') this.#queue(k, null);
    else this.#persist(() => this.#writeOne(k, null));
  }

  #queue(k: string, p: Pending): void {
    // Re-inserting moves the key to the end, so a flush writes keys in the order they were last touched.
    this.#pending.delete(k);
    this.#pending.set(k, p);
    if (this.#pending.size >= this.#opts.flushBatch) this.#flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        try {
          this.#flush();
        } catch (error) {
          this.emit('write-error', error as Error);
        }
      }, this.#opts.flushIntervalMs);
      this.#timer.unref();
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending];
    this.#pending.clear();
    this.#flushes += 1;
    this.#persist(() => this.#writeMany(batch));
  }

  #persist(write: () => unknown): void {
    try {
      write();
    } catch (error) {
      throw new PersistenceError('SQLite write failed', { cause: error });
    }
  }

  /** One row write inside a transaction; keeps the row and byte counters exact. */
  #apply(k: string, p: Pending): void {
    const old = this.#sql.size.get(k) as number | undefined;
    if (p === null) {
      if (old === undefined) return;
      this.#sql.del.run(k);
      this.#entries -= 1;
      this.#bytes -= old;
      return;
    }
    this.#sql.upsert.run(k, p.bytes, p.bytes.byteLength, p.expiresAt, ++this.#tick);
    if (old === undefined) this.#entries += 1;
    this.#bytes += p.bytes.byteLength - (old ?? 0);
  }

  #enforceBounds(): void {
    const { maxEntries, maxBytes } = this.#opts;
    while (this.#entries > maxEntries || this.#bytes > maxBytes) {
      const over = Math.max(1, this.#entries - maxEntries);
      const victims = this.#sql.oldest.all(Math.min(over, 256)) as string[];
      if (victims.length === 0) break;
      for (const victim of victims) {
        const size = this.#sql.del.get(victim) as number | undefined;
        if (size === undefined) continue;
        this.#entries -= 1;
        this.#bytes -= size;
        this.#evictions += 1;
        if (this.#entries <= maxEntries && this.#bytes <= maxBytes) break;
      }
    }
  }
}
