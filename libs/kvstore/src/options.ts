import { MAX_TIMER_MS, fn, parseOptions, pem } from '@infermesh/foundation';
import { z } from 'zod/v4';
import type { Codec } from './codec.js';

/** A time source in milliseconds. SQLite stores absolute expiry times from it, so it must be wall-clock-like. */
export interface Clock {
  now(): number;
}

/** Options every tier has: the memory tier (the store itself, or the near cache) and value handling. */
const commonShape = {
  /** Entry bound of the memory tier. */
  max: z.int().min(1).default(10_000),
  /** Byte bound of the memory tier; absent means bounded by `max` only. */
  maxBytes: z.int().min(1).optional(),
  /** Size of one value in bytes for `maxBytes`; default: its encoded size. */
  sizeOf: fn<(value: unknown) => number>('sizeOf').optional(),
  /** Default TTL of an entry; absent or 0 means entries do not expire. */
  ttlMs: z.int().min(0).max(MAX_TIMER_MS).default(0),
  codec: z
    .custom<Codec<unknown>>(
      (v) => typeof v === 'object' && v !== null && typeof (v as Codec<unknown>).encode === 'function' && typeof (v as Codec<unknown>).decode === 'function',
      'expected a codec: { name, encode(value), decode(bytes) }',
    )
    .optional(),
  /** Maps a non-string key to its string form; required for non-string keys. */
  keyToString: fn<(key: unknown) => string>('keyToString').optional(),
  clock: z
    .custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function', 'expected a clock: { now(): number }')
    .optional(),
};

export const MemoryStoreOptionsSchema = z.strictObject({ tier: z.literal('memory').default('memory'), ...commonShape });

export const SqliteOptionsSchema = z.strictObject({
  /** File path; ':memory:' for a throwaway database (nothing survives a restart). */
  path: z.string().min(1),
  writeMode: z.enum(['through', 'behind']).default('through'),
  flushIntervalMs: z.int().min(1).max(MAX_TIMER_MS).default(100),
  flushBatch: z.int().min(1).default(256),
  /** Row bound of the file. */
  maxEntries: z.int().min(1).default(100_000),
  /** Bound on the sum of encoded value sizes in the file. */
  maxBytes: z.int().min(1).default(256 * 1024 * 1024),
  /** SQLite `synchronous` pragma: 'normal' survives a process crash, 'full' also a power loss. */
  synchronous: z.enum(['off', 'normal', 'full']).default('normal'),
});

export const SqliteStoreOptionsSchema = z.strictObject({ tier: z.literal('sqlite'), ...commonShape, sqlite: SqliteOptionsSchema });

export const RedisOptionsSchema = z.strictObject({
  /**
   * `redis://[:password@]host:port/db`, or `rediss://` for TLS; overrides host, port, db and password. A
   * `rediss://` URL without `tls` verifies the server against the system trust store.
   */
  url: z.url({ protocol: /^rediss?$/ }).optional(),
  /**
   * TLS to Redis, PEM text or bytes: `ca` verifies the server's certificate (absent: the system trust
   * store), `cert` + `key` a client certificate (`tls-auth-clients yes`). With a `url`, it must be `rediss://`.
   */
  tls: z
    .strictObject({ ca: pem().optional(), cert: pem().optional(), key: pem().optional() })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'give the client certificate and its key together', path: ['key'] })
    .optional(),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(1).max(65_535).default(6379),
  db: z.int().min(0).default(0),
  password: z.string().optional(),
  /** Prepended to every key; `clear()` deletes only keys with this prefix. */
  keyPrefix: z.string().min(1).default('kv:'),
  /** A command with no answer within this time fails (and the store degrades). */
  commandTimeoutMs: z.int().min(1).max(MAX_TIMER_MS).default(500),
  connectTimeoutMs: z.int().min(1).max(MAX_TIMER_MS).default(2_000),
  maxRetriesPerRequest: z.int().min(0).max(10).default(1),
  /** Longest delay between reconnect attempts while Redis is down. */
  reconnectMaxDelayMs: z.int().min(1).max(MAX_TIMER_MS).default(1_000),
  /** How long the near cache may serve a value without asking Redis: the staleness bound. 0 disables it. */
  nearCacheTtlMs: z.int().min(0).max(MAX_TIMER_MS).default(1_000),
  /** What operations do while Redis is unreachable. */
  onUnavailable: z.enum(['degrade', 'throw']).default('degrade'),
}).refine((r) => r.tls === undefined || r.url === undefined || r.url.startsWith('rediss:'), {
  message: 'tls is set but the URL is redis://: use rediss://',
  path: ['url'],
});

export const RedisStoreOptionsSchema = z.strictObject({ tier: z.literal('redis'), ...commonShape, redis: RedisOptionsSchema });

export const StoreOptionsSchema = z.discriminatedUnion('tier', [
  MemoryStoreOptionsSchema.extend({ tier: z.literal('memory') }),
  SqliteStoreOptionsSchema,
  RedisStoreOptionsSchema,
]);

/** Typed over the value V and key K: the function options see V and K, not `unknown`. */
type Typed<T, V, K> = Omit<T, 'sizeOf' | 'codec' | 'keyToString'> & {
  sizeOf?: (value: V) => number;
  codec?: Codec<V>;
} & ([K] extends [string] ? { keyToString?: (key: K) => string } : { keyToString: (key: K) => string });

export type MemoryStoreOptions<V = unknown, K = string> = Typed<z.input<typeof MemoryStoreOptionsSchema>, V, K>;
export type SqliteStoreOptions<V = unknown, K = string> = Typed<z.input<typeof SqliteStoreOptionsSchema>, V, K>;
export type RedisStoreOptions<V = unknown, K = string> = Typed<z.input<typeof RedisStoreOptionsSchema>, V, K>;
export type StoreOptions<V = unknown, K = string> = MemoryStoreOptions<V, K> | SqliteStoreOptions<V, K> | RedisStoreOptions<V, K>;
export type SqliteOptions = z.input<typeof SqliteOptionsSchema>;
export type RedisOptions = z.input<typeof RedisOptionsSchema>;
export type ParsedMemoryStoreOptions = z.output<typeof MemoryStoreOptionsSchema>;
export type ParsedSqliteOptions = z.output<typeof SqliteOptionsSchema>;
export type ParsedRedisOptions = z.output<typeof RedisOptionsSchema>;

// Re-exported for this library's own modules; the one implementation lives in @infermesh/foundation.
export { parseOptions };
