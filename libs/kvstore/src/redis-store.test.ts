import { makeTestPki, type TestPki } from '@infermesh/foundation/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../tests/fake-clock.js';
import { freePort, startRedis, type RedisServer } from '../tests/redis-server.js';
import { createStore } from './create-store.js';
import { BackendUnavailableError } from './errors.js';
import type { RedisStoreOptions } from './options.js';
import { RedisStore } from './redis-store.js';
import { expectStatusReported } from '../tests/status-check.js';

let server: RedisServer;
let raw: Redis;
let prefixSeq = 0;
beforeAll(async () => {
  server = await startRedis();
  raw = new Redis({ port: server.port, host: '127.0.0.1' });
  raw.on('error', () => {}); // it sees the restart test's outage too
});
afterAll(async () => {
  raw.disconnect();
  await server.dispose();
});

/** Each test gets its own key prefix, so tests sharing the server never see each other's keys. */
function options<V>(extra: Partial<RedisStoreOptions<V>> = {}, redis: Partial<RedisStoreOptions<V>['redis']> = {}, prefix = `t${++prefixSeq}:`): RedisStoreOptions<V> {
  return { tier: 'redis', ...extra, redis: { port: server.port, keyPrefix: prefix, ...redis } } as RedisStoreOptions<V>;
}

describe('RedisStore', () => {
  it('shares values between two store instances', async () => {
    const prefix = `shared${++prefixSeq}:`;
    const a = await createStore<{ n: number }>(options({}, {}, prefix));
    const b = await createStore<{ n: number }>(options({}, {}, prefix));
    await a.set('k', { n: 1 });
    expect(await b.get('k')).toEqual({ n: 1 });
    expect(await b.has('k')).toBe(true);
    expect(await b.delete('k')).toBe(true);
    expect(await b.has('k')).toBe(false);
    await a.set('x', { n: 2 });
    await b.clear();
    expect(await raw.exists(`${prefix}x`)).toBe(0);
    await a.close();
    await b.close();
  });

  it('maps TTLs to Redis expiry (PX)', async () => {
    const store = await RedisStore.open<string>(options({ ttlMs: 60_000 }));
    await store.set('default', 'd');
    await store.set('short', 's', { ttlMs: 5_000 });
    await store.set('forever', 'f', { ttlMs: 0 });
    const prefix = `t${prefixSeq}:`;
    const [pd, ps, pf] = await Promise.all([raw.pttl(`${prefix}default`), raw.pttl(`${prefix}short`), raw.pttl(`${prefix}forever`)]);
    expect(pd).toBeGreaterThan(59_000);
    expect(pd).toBeLessThanOrEqual(60_000);
    expect(ps).toBeGreaterThan(4_000);
    expect(ps).toBeLessThanOrEqual(5_000);
    expect(pf).toBe(-1);
    await store.close();
  });

  it('round-trips binary values, stored as raw bytes in Redis', async () => {
    const store = await RedisStore.open<{ b: Buffer; f: Float64Array; u: Uint8Array }>(options({}, { nearCacheTtlMs: 0 }));
    const value = { b: Buffer.from([0, 1, 0xff, 0x80, 0]), f: new Float64Array([Math.PI, -0]), u: new Uint8Array([9, 0, 9]) };
    await store.set('bin', value);
    const got = await store.get('bin');
    expect(Buffer.from(got?.b ?? [])).toEqual(value.b);
    expect(got?.f).toEqual(value.f);
    expect(got?.u).toEqual(value.u);
    expect((await raw.getBuffer(`t${prefixSeq}:bin`))?.includes(Buffer.from([0, 1, 0xff, 0x80, 0]))).toBe(true);
    await store.close();
  });

  it('serves a near-cached value stale for at most nearCacheTtlMs', async () => {
    const clock = new FakeClock();
    const prefix = `near${++prefixSeq}:`;
    const reader = await RedisStore.open<string>(options({ clock }, { nearCacheTtlMs: 200 }, prefix));
    const writer = await RedisStore.open<string>(options({}, {}, prefix));
    await writer.set('k', 'v1');
    expect(await reader.get('k')).toBe('v1');
    await writer.set('k', 'v2');
    expect(await reader.get('k')).toBe('v1'); // stale, within the bound
    clock.advance(200);
    expect(await reader.get('k')).toBe('v1');
    clock.advance(1);
    expect(await reader.get('k')).toBe('v2'); // bound passed: asked Redis again
    const stats = await reader.stats();
    expect(stats.redis).toMatchObject({ hits: 2, degraded: false });
    expect(stats.memory.hits).toBe(2);
    await reader.close();
    await writer.close();
  });

  it('degrades to the near cache within a bounded time when Redis stops, and recovers after a restart', async () => {
    const store = await RedisStore.open<string>(options({}, { nearCacheTtlMs: 60_000, reconnectMaxDelayMs: 50, commandTimeoutMs: 200 }));
    await store.set('cached', 'near');
    const degraded = new Promise<{ error: Error }>((resolve) => store.once('degraded', resolve));
    await server.stop();
    const event = await degraded;
    expect(event.error).toBeInstanceOf(Error);

    const started = performance.now();
    expect(await store.get('cached')).toBe('near');
    expect(await store.get('missing')).toBeUndefined();
    await store.set('written', 'while down'); // kept in the near cache only
    expect(await store.get('written')).toBe('while down');
    expect(await store.has('missing')).toBe(false);
    expect(performance.now() - started).toBeLessThan(250);
    const stats = await store.stats();
    expect(stats.redis).toMatchObject({ degraded: true, degradedCount: 1 });

    const recovered = new Promise<void>((resolve) => store.once('recovered', resolve));
    await server.start();
    await recovered;
    expect((await store.stats()).redis?.degraded).toBe(false);
    await store.set('after', 'up');
    expect(await raw.exists(`t${prefixSeq}:after`)).toBe(1);
    await store.close();
  });

  it("rejects with BackendUnavailableError under onUnavailable: 'throw', and fails fast when nothing listens", async () => {
    const port = await freePort();
    const started = performance.now();
    await expect(
      RedisStore.open<string>({ tier: 'redis', redis: { port, onUnavailable: 'throw', connectTimeoutMs: 300 } }),
    ).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(performance.now() - started).toBeLessThan(1500);

    const degradedStore = await RedisStore.open<string>({ tier: 'redis', redis: { port, connectTimeoutMs: 200 } });
    const degraded = new Promise((resolve) => degradedStore.once('degraded', resolve));
    expect(await degradedStore.get('k')).toBeUndefined();
    await degraded;
    expect((await degradedStore.stats()).redis?.degraded).toBe(true);
    await degradedStore.close();
  });
});

describe('RedisStore over TLS, with requirepass (a real TLS-only redis-server)', () => {
  let pki: TestPki;
  let other: TestPki;
  let secure: RedisServer;
  beforeAll(async () => {
    pki = makeTestPki('redis');
    other = makeTestPki('not-redis');
    const cert = pki.issue('redis', { ips: ['127.0.0.1'], dns: ['localhost'] });
    secure = await startRedis({ tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: pki.caFile }, password: 'redis-pw' });
  });
  afterAll(async () => {
    await secure?.dispose();
    pki?.remove();
    other?.remove();
  });
  const tlsOptions = (redis: Partial<RedisStoreOptions<string>['redis']>): RedisStoreOptions<string> =>
    ({ tier: 'redis', redis: { url: secure.url, keyPrefix: `tls${++prefixSeq}:`, onUnavailable: 'throw', connectTimeoutMs: 1_000, ...redis } });

  it('sets and gets over rediss:// with the server\'s CA and the password', async () => {
    expect(secure.url).toMatch(/^rediss:/);
    const a = await RedisStore.open<string>(tlsOptions({ tls: { ca: pki.ca }, password: 'redis-pw', nearCacheTtlMs: 0 }));
    await a.set('k', 'over tls');
    expect(await a.get('k')).toBe('over tls');
    expect((await a.stats()).redis?.degraded).toBe(false);
    await a.close();
  });

  it('takes the password from the URL\'s userinfo too', async () => {
    const url = secure.url.replace('rediss://', 'rediss://:redis-pw@');
    const a = await RedisStore.open<string>(tlsOptions({ url, tls: { ca: pki.ca }, nearCacheTtlMs: 0 }));
    await a.set('k', 'v');
    expect(await a.get('k')).toBe('v');
    await a.close();
  });

  it('refuses a server whose certificate is not from the CA, within connectTimeoutMs', async () => {
    const t0 = performance.now();
    const error = await RedisStore.open<string>(tlsOptions({ tls: { ca: other.ca }, password: 'redis-pw' })).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(((error as Error).cause as Error).message).toMatch(/certificate/);
  });

  it('refuses a wrong password', async () => {
    const error = await RedisStore.open<string>(tlsOptions({ tls: { ca: pki.ca }, password: 'wrong-pw' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(((error as Error).cause as Error).message).toMatch(/WRONGPASS|NOAUTH/);
  });

  it('refuses tls options with a redis:// URL', async () => {
    await expect(RedisStore.open<string>({ tier: 'redis', redis: { url: 'redis://127.0.0.1:1', tls: { ca: pki.ca } } })).rejects.toThrow(/use rediss:\/\//);
  });
});

describe('getOrCompute status', () => {
  it('reports miss, joined and hit', async () => {
    const store = await createStore<{ n: number }>(options());
    await expectStatusReported(store);
    await store.close();
  });
});
