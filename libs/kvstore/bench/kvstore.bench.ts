/**
 * @infermesh/kvstore against baselines measured in the same run:
 * - memory tier get/set vs raw lru-cache (sync fast path vs sync; async API vs awaited lru-cache);
 * - set with SQLite persistence (write-through, write-behind) vs the memory tier alone;
 * - Redis-tier get (near cache off, so every get is a round trip) vs a raw ioredis GET, and a near-cache hit.
 * Starts its own redis-server on a free loopback port and stops it after. Prints a table, then one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { startRedis } from '../tests/redis-server.js';
import { MemoryStore, RedisStore, SqliteStore } from '../src/index.js';

const KEYS = 10_000;
const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
const value = { id: 1, name: 'hello', scores: [1, 2, 3] };
const ROUNDS = 5;

/** ops/s of one timed pass of `n` calls. */
function passSync(n: number, body: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) body(i);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function passAsync(n: number, body: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await body(i);
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** Subject and baseline alternate, pass after pass, so drift hits both; the best pass of each is kept. */
function pairSync(n: number, subject: (i: number) => void, baseline: (i: number) => void, rounds = ROUNDS): [number, number] {
  let s = 0;
  let b = 0;
  for (let r = 0; r < rounds; r += 1) {
    b = Math.max(b, passSync(n, baseline));
    s = Math.max(s, passSync(n, subject));
  }
  return [s, b];
}

async function pairAsync(n: number, subject: (i: number) => Promise<unknown>, baseline: (i: number) => Promise<unknown>, rounds = ROUNDS): Promise<[number, number]> {
  let s = 0;
  let b = 0;
  for (let r = 0; r < rounds; r += 1) {
    b = Math.max(b, await passAsync(n, baseline));
    s = Math.max(s, await passAsync(n, subject));
  }
  return [s, b];
}

interface Row {
  name: string;
  ops: number;
  baseline: string;
  baseOps: number;
}
const rows: Row[] = [];
const add = (name: string, ops: number, baseline: string, baseOps: number) => rows.push({ name, ops, baseline, baseOps });

// Memory tier vs raw lru-cache, same bound (half the keys fit, so half the sets evict).
{
  const N = 1_000_000;
  const lru = new LRUCache<string, object>({ max: KEYS / 2 });
  const store = new MemoryStore<object>({ max: KEYS / 2 });
  const key = (i: number) => keys[i % KEYS] as string;
  const [ss, sb] = pairSync(N, (i) => store.setSync(key(i), value), (i) => lru.set(key(i), value));
  add('memory setSync', ss, 'lru-cache set', sb);
  const [gs, gb] = pairSync(N, (i) => store.getSync(key(i)), (i) => lru.get(key(i)));
  add('memory getSync', gs, 'lru-cache get', gb);
  const A = 300_000;
  const [as, ab] = await pairAsync(A, (i) => store.set(key(i), value), async (i) => lru.set(key(i), value));
  add('memory await set', as, 'await lru-cache set', ab);
  const [ag, agb] = await pairAsync(A, (i) => store.get(key(i)), async (i) => lru.get(key(i)));
  add('memory await get', ag, 'await lru-cache get', agb);
}

// SQLite persistence vs memory only.
{
  const dir = mkdtempSync(join(tmpdir(), 'kvstore-bench-'));
  const memory = new MemoryStore<object>({ max: KEYS });
  const through = await SqliteStore.open<object>({ tier: 'sqlite', max: KEYS, sqlite: { path: join(dir, 'through.db'), writeMode: 'through' } });
  const behind = await SqliteStore.open<object>({ tier: 'sqlite', max: KEYS, sqlite: { path: join(dir, 'behind.db'), writeMode: 'behind' } });
  const N = 5_000;
  const key = (i: number) => keys[i % KEYS] as string;
  const memorySet = (i: number) => memory.set(key(i), value);
  const [t, tm] = await pairAsync(N, (i) => through.set(key(i), value), memorySet, 3);
  add('sqlite write-through set', t, 'memory set', tm);
  const [b, bm] = await pairAsync(N * 10, (i) => behind.set(key(i), value), memorySet, 3);
  add('sqlite write-behind set', b, 'memory set', bm);
  await Promise.all([through.close(), behind.close(), memory.close()]);
  rmSync(dir, { recursive: true, force: true });
}

// Redis tier vs raw ioredis.
{
  const server = await startRedis();
  try {
    const raw = new Redis({ host: '127.0.0.1', port: server.port });
    const store = await RedisStore.open<object>({ tier: 'redis', redis: { port: server.port, keyPrefix: 'b:', nearCacheTtlMs: 0 } });
    const near = await RedisStore.open<object>({ tier: 'redis', redis: { port: server.port, keyPrefix: 'b:', nearCacheTtlMs: 60_000 } });
    for (let i = 0; i < 1000; i += 1) await store.set(keys[i] as string, value);
    const N = 5_000;
    const rawGet = (i: number) => raw.getBuffer(`b:${keys[i % 1000]}`);
    const [g, gr] = await pairAsync(N, (i) => store.get(keys[i % 1000] as string), rawGet, 3);
    add('redis get (no near cache)', g, 'ioredis GET', gr);
    const nearOps = await passAsync(N * 10, (i) => near.get(keys[i % 1000] as string));
    add('redis get (near-cache hit)', Math.max(nearOps, await passAsync(N * 10, (i) => near.get(keys[i % 1000] as string))), 'ioredis GET', gr);
    await Promise.all([store.close(), near.close()]);
    raw.disconnect();
  } finally {
    await server.dispose();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const table = rows.map((r) => ({
  case: r.name,
  'ops/s': fmt(r.ops),
  'µs/op': (1e6 / r.ops).toFixed(2),
  baseline: r.baseline,
  'baseline ops/s': fmt(r.baseOps),
  ratio: (r.ops / r.baseOps).toPrecision(3),
}));
process.stdout.write(`${renderTable(table)}\n`);
const json = Object.fromEntries(rows.map((r) => [r.name, { ops: Math.round(r.ops), baselineOps: Math.round(r.baseOps), ratio: Number((r.ops / r.baseOps).toFixed(3)) }]));
process.stdout.write(`${JSON.stringify({ bench: 'kvstore', node: process.version, results: json })}\n`);

function renderTable(data: Record<string, string>[]): string {
  const cols = Object.keys(data[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...data.map((d) => (d[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ')} |`;
  return [line(cols), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...data.map((d) => line(cols.map((c) => d[c] ?? '')))].join('\n');
}
