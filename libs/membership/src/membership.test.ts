import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { startEtcd, type EtcdServer } from '../tests/etcd-server.js';
import { Membership } from './index.js';

const Member = z.object({ url: z.string() });
let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.dispose();
});

let n = 0;
const fresh = (extra: { leaseTtlS?: number; resyncMs?: number } = {}) =>
  new Membership({ endpoints: [etcd.endpoint], prefix: `/test-${++n}/`, leaseTtlS: 2, resyncMs: 200, retryMs: 100, ...extra });
const once = <T extends unknown[]>(emitter: { once(event: string, fn: (...args: T) => void): unknown }, event: string, timeoutMs = 10_000): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (...args: T) => {
      clearTimeout(timer);
      resolve(args);
    });
  });

describe('Membership on a real etcd', () => {
  it('a registered member joins every watcher with its value, and leaves at once when it closes', async () => {
    const a = fresh();
    const b = new Membership({ ...a.options });
    const watch = b.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    const joined = once<[string, { url: string }]>(watch, 'joined');
    const reg = a.register('worker-1', { url: 'ws://10.0.0.4:9200' });
    expect(await joined).toEqual(['worker-1', { url: 'ws://10.0.0.4:9200' }]);
    // The watcher may see the key before the put's answer reaches the registration.
    await expect.poll(() => reg.registered).toBe(true);
    expect(watch.members.get('worker-1')).toEqual({ url: 'ws://10.0.0.4:9200' });
    const left = once<[string]>(watch, 'left');
    const t0 = performance.now();
    await reg.close();
    expect(await left).toEqual(['worker-1']);
    expect(performance.now() - t0).toBeLessThan(1_000);
    await Promise.all([a.close(), b.close()]);
  });

  it('a member whose lease is not kept alive leaves within the TTL', async () => {
    const m = fresh();
    const watch = m.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    const raw = new Etcd3({ hosts: [etcd.endpoint] });
    const lease = raw.lease(2, { autoKeepAlive: false });
    const joined = once(watch, 'joined');
    await lease.put(`${m.options.prefix}silent`).value(JSON.stringify({ url: 'ws://10.0.0.5:9200' })).exec();
    await joined;
    const t0 = performance.now();
    const left = once(watch, 'left', 6_000);
    await left;
    const after = performance.now() - t0;
    // etcd expires a lease within about its TTL (2 s) plus its own check interval.
    expect(after).toBeLessThan(3_500);
    lease.release();
    raw.close();
    await m.close();
  });

  it('skips a value that is not a member\'s, and says so', async () => {
    const m = fresh();
    const watch = m.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    const invalid = once<[string, Error]>(watch, 'invalid');
    const reg = m.register('bogus', { nope: 1 });
    expect((await invalid)[0]).toBe('bogus');
    expect(watch.members.size).toBe(0);
    await reg.close();
    await m.close();
  });

  it('keeps the last membership while etcd is down, reports degraded, recovers and re-registers when it is back', async () => {
    const m = fresh();
    const watch = m.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    const joined = once(watch, 'joined');
    const reg = m.register('worker-2', { url: 'ws://10.0.0.6:9200' });
    await joined;
    const degraded = once(watch, 'degraded');
    await etcd.stop();
    await degraded;
    expect(watch.degraded).toBeInstanceOf(Error);
    // The last membership stays in force: no one leaves because etcd is gone.
    await new Promise((r) => setTimeout(r, 2_500));
    expect([...watch.members.keys()]).toEqual(['worker-2']);
    const recovered = once(watch, 'recovered', 15_000);
    await etcd.start();
    await recovered;
    expect(watch.degraded).toBeUndefined();
    // The member is registered again (its old lease may have expired while etcd was down).
    await expect.poll(() => reg.registered, { timeout: 10_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 3_000));
    expect([...watch.members.keys()]).toEqual(['worker-2']);
    await reg.close();
    await m.close();
  });

  it('elects one leader of a duty; when it resigns, the other candidate leads', async () => {
    const a = fresh();
    const b = new Membership({ ...a.options });
    const first = a.campaign('placement', 'coordinator-a');
    await once(first, 'elected');
    const second = b.campaign('placement', 'coordinator-b');
    await new Promise((r) => setTimeout(r, 500));
    expect([first.isLeader, second.isLeader]).toEqual([true, false]);
    expect(await b.leader('placement')).toBe('coordinator-a');
    const t0 = performance.now();
    const elected = once(second, 'elected');
    await first.close();
    await elected;
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect(second.isLeader).toBe(true);
    expect(await a.leader('placement')).toBe('coordinator-b');
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses options out of range', () => {
    expect(() => new Membership({ endpoints: [] })).toThrow(RangeError);
    expect(() => new Membership({ endpoints: ['redis://127.0.0.1:1'] })).toThrow(TypeError);
    expect(() => new Membership({ endpoints: ['http://127.0.0.1:1'], leaseTtlS: 1 })).toThrow(RangeError);
  });
});
