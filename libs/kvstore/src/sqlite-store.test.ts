import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../tests/fake-clock.js';
import { createStore } from './create-store.js';
import { StoreClosedError, ValueTooLargeError } from './errors.js';
import type { SqliteStoreOptions } from './options.js';
import { SqliteStore } from './sqlite-store.js';
import { expectStatusReported } from '../tests/status-check.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kvstore-sqlite-'));
  path = join(dir, 'cache.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = <V>(extra: Partial<SqliteStoreOptions<V>> = {}, sqlite: Partial<SqliteStoreOptions<V>['sqlite']> = {}) =>
  SqliteStore.open<V>({ tier: 'sqlite', ...extra, sqlite: { path, ...sqlite } });

describe('SqliteStore', () => {
  it('keeps entries across close and reopen, typed arrays and Buffers included', async () => {
    const first = await createStore<{ f: Float32Array; b: Buffer; n: number }>({ tier: 'sqlite', sqlite: { path } });
    await first.set('a', { f: new Float32Array([1.5, -2]), b: Buffer.from([0, 255, 7]), n: 1 });
    await first.set('b', { f: new Float32Array(0), b: Buffer.alloc(0), n: 2 });
    await first.delete('b');
    await first.close();
    await expect(first.get('a')).rejects.toBeInstanceOf(StoreClosedError);

    const second = await open<{ f: Float32Array; b: Buffer; n: number }>();
    const a = await second.get('a');
    expect(a?.f).toEqual(new Float32Array([1.5, -2]));
    expect(Buffer.from(a?.b ?? [])).toEqual(Buffer.from([0, 255, 7]));
    expect(await second.get('b')).toBeUndefined();
    const stats = await second.stats();
    expect(stats.sqlite).toMatchObject({ entries: 1, hits: 1 });
    // Warmed lazily: the second read is a memory hit.
    await second.get('a');
    expect(stats.memory.hits + 1).toBe((await second.stats()).memory.hits);
    await second.close();
  });

  it('never serves an expired entry after a reopen, and purges it on open', async () => {
    const clock = new FakeClock();
    const first = await open<string>({ clock, ttlMs: 1000 });
    await first.set('short', 's', { ttlMs: 100 });
    await first.set('default', 'd');
    await first.set('forever', 'f', { ttlMs: 0 });
    await first.close();

    clock.advance(500);
    const second = await open<string>({ clock });
    expect(await second.get('short')).toBeUndefined();
    expect(await second.get('default')).toBe('d');
    expect((await second.stats()).sqlite).toMatchObject({ entries: 2, expirations: 1 });
    clock.advance(600);
    // In memory now with the remaining TTL (500 ms), so the memory tier expires it too.
    expect(await second.get('default')).toBeUndefined();
    expect(await second.has('forever')).toBe(true);
    await second.close();
  });

  it('keeps the file bounded by entries and bytes, evicting the least recently used rows', async () => {
    const store = await open<string>({ max: 5 }, { maxEntries: 50, maxBytes: 20_000 });
    for (let i = 0; i < 500; i += 1) await store.set(`k${i}`, 'v'.repeat(i % 2 === 0 ? 10 : 1000));
    const { sqlite } = await store.stats();
    expect(sqlite?.entries).toBeLessThanOrEqual(50);
    expect(sqlite?.bytes).toBeLessThanOrEqual(20_000);
    expect(sqlite?.evictions).toBeGreaterThan(400);
    await store.close();
    const reopened = await open<string>({}, { maxEntries: 50, maxBytes: 20_000 });
    expect(await reopened.get('k499')).toBe('v'.repeat(1000));
    expect(await reopened.get('k0')).toBeUndefined();
    expect((await reopened.stats()).sqlite?.entries).toBeLessThanOrEqual(50);
    await expect(reopened.set('huge', 'x'.repeat(30_000))).rejects.toBeInstanceOf(ValueTooLargeError);
    await reopened.close();
    expect(statSync(path).size).toBeLessThan(200_000);
  });

  it('reading a row through from the file makes it recently used', async () => {
    const store = await open<number>({ max: 1 }, { maxEntries: 3 });
    await store.set('a', 1);
    await store.set('b', 2);
    await store.set('c', 3); // memory holds only c
    expect(await store.get('a')).toBe(1); // read from the file: a becomes the most recent row
    await store.set('d', 4); // evicts b, the least recently used row
    await store.close();
    const reopened = await open<number>();
    expect(await reopened.get('b')).toBeUndefined();
    expect(await reopened.get('a')).toBe(1);
    await reopened.close();
  });

  it('write-behind batches writes, serves them before the flush, and flushes on close', async () => {
    const store = await open<number>({ max: 2 }, { writeMode: 'behind', flushIntervalMs: 60_000, flushBatch: 10 });
    for (let i = 0; i < 5; i += 1) await store.set(`k${i}`, i);
    expect((await store.stats()).sqlite).toMatchObject({ entries: 0, pendingWrites: 5, flushes: 0 });
    expect(await store.get('k0')).toBe(0); // evicted from memory, served from the pending batch
    await store.delete('k1');
    expect(await store.has('k1')).toBe(false);
    for (let i = 5; i < 12; i += 1) await store.set(`k${i}`, i); // reaches flushBatch
    expect((await store.stats()).sqlite?.flushes).toBe(1);
    await store.close();
    const reopened = await open<number>();
    expect((await reopened.stats()).sqlite?.entries).toBe(11);
    expect(await reopened.get('k11')).toBe(11);
    expect(await reopened.get('k1')).toBeUndefined();
    await reopened.close();
  });

  it('write-behind flushes on its timer', async () => {
    const store = await open<number>({}, { writeMode: 'behind', flushIntervalMs: 20 });
    await store.set('a', 1);
    const start = Date.now();
    while ((await store.stats()).sqlite?.entries === 0 && Date.now() - start < 2000) await new Promise((r) => setTimeout(r, 10));
    expect((await store.stats()).sqlite).toMatchObject({ entries: 1, pendingWrites: 0, flushes: 1 });
    await store.close();
  });

  it('after a SIGKILL, write-through kept every acknowledged write and write-behind lost its unflushed batch', async () => {
    const writer = fileURLToPath(new URL('../tests/sqlite-writer.ts', import.meta.url));
    const behindPath = join(dir, 'behind.db');
    const writeAndKill = async (file: string, mode: 'through' | 'behind') => {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, file, mode, '50'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        void exited.then(() => reject(new Error(`${mode} writer exited before writing`)));
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('written 50')) resolve();
        });
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    };
    // Both children run at once: the cost of this test is one tsx start-up.
    await Promise.all([writeAndKill(path, 'through'), writeAndKill(behindPath, 'behind')]);

    const store = await open<{ i: number; data: Float32Array }>();
    expect((await store.stats()).sqlite?.entries).toBe(50);
    for (const i of [0, 25, 49]) {
      const value = await store.get(`key-${i}`);
      expect(value?.i).toBe(i);
      expect(value?.data).toEqual(new Float32Array([i, i / 2]));
    }
    await store.close();
    // flushIntervalMs was 60 s and flushBatch huge: nothing had been flushed, so all 50 writes are gone.
    const behind = await SqliteStore.open({ tier: 'sqlite', sqlite: { path: behindPath } });
    expect((await behind.stats()).sqlite?.entries).toBe(0);
    await behind.close();
  });
});


describe('getOrCompute status', () => {
  it('reports miss, joined and hit', async () => {
    const store = await open<{ n: number }>();
    await expectStatusReported(store);
    await store.close();
  });
});
