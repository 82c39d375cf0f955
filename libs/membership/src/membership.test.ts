import { makeTestPki, type TestPki } from '@infermesh/foundation/testing';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { startEtcd, type EtcdServer } from '../tests/etcd-server.js';
import { Membership, type MembershipOptions } from './index.js';

const Member = z.object({ url: z.string() });
let etcd: EtcdServer;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.dispose();
});

let n = 0;
const freshOptions = (extra: { leaseTtlS?: number; resyncMs?: number } = {}) =>
  ({ endpoints: [etcd.endpoint], prefix: `/test-${++n}/`, leaseTtlS: 2, resyncMs: 200, retryMs: 100, ...extra });
const fresh = (extra: { leaseTtlS?: number; resyncMs?: number } = {}) => new Membership(freshOptions(extra));
/** Two clients of one cluster (one prefix). */
const pair = (): [Membership, Membership] => {
  const options = freshOptions();
  return [new Membership(options), new Membership(options)];
};
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
    const [a, b] = pair();
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
    await lease.put(`${m.prefix}silent`).value(JSON.stringify({ url: 'ws://10.0.0.5:9200' })).exec();
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
    const [a, b] = pair();
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

describe('Membership over TLS to a real etcd (--client-cert-auth)', () => {
  let pki: TestPki;
  let other: TestPki;
  let secure: EtcdServer;
  let tls: { ca: Buffer; cert: Buffer; key: Buffer };
  beforeAll(async () => {
    pki = makeTestPki('etcd');
    other = makeTestPki('not-etcd');
    const server = pki.issue('etcd', { ips: ['127.0.0.1'], dns: ['localhost'] });
    const client = pki.issue('coordinator');
    tls = { ca: pki.ca, cert: client.cert, key: client.key };
    secure = await startEtcd({ ...server, caFile: pki.caFile, clientCaFile: pki.caFile, client });
  });
  afterAll(async () => {
    await secure?.dispose();
    pki?.remove();
    other?.remove();
  });
  const secureMembership = (extra: Partial<MembershipOptions> = {}) =>
    new Membership({ endpoints: [secure.endpoint], tls, prefix: `/tls-${++n}/`, leaseTtlS: 2, resyncMs: 200, retryMs: 100, callTimeoutMs: 500, ...extra });

  it('registers and watches with etcd\'s CA and a client certificate', async () => {
    expect(secure.endpoint).toMatch(/^https:/);
    const m = secureMembership();
    const watch = m.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    expect(watch.degraded).toBeUndefined();
    const joined = once<[string, { url: string }]>(watch, 'joined');
    const reg = m.register('worker-tls', { url: 'wss://10.0.0.7:9200' });
    expect(await joined).toEqual(['worker-tls', { url: 'wss://10.0.0.7:9200' }]);
    await reg.close();
    await m.close();
  });

  it('refuses an etcd whose certificate is not from the given CA, within the call timeout', async () => {
    const m = secureMembership({ tls: { ...tls, ca: other.ca } });
    const t0 = performance.now();
    const watch = m.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(watch.degraded).toBeInstanceOf(Error);
    // gRPC's own words: `14 UNAVAILABLE: No connection established. Last error: … unable to verify the first certificate`.
    expect(watch.degraded?.message).toMatch(/unable to verify the first certificate/);
    const reg = m.register('worker-x', { url: 'wss://10.0.0.8:9200' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(reg.registered).toBe(false);
    await m.close();
  });

  it('is refused by etcd without a client certificate', async () => {
    const m = secureMembership({ tls: { ca: tls.ca } });
    const watch = m.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    expect(watch.degraded).toBeInstanceOf(Error);
    expect(watch.degraded?.message).toMatch(/bad certificate/);
    await m.close();
  });

  it('authenticates as an etcd RBAC user; a wrong password is refused', async () => {
    // RBAC set up through the client itself (Debian's etcd-server ships no etcdctl): root user, auth on.
    const admin = new Etcd3({ hosts: [secure.endpoint], credentials: { rootCertificate: tls.ca, certChain: tls.cert, privateKey: tls.key } });
    await admin.user('root').create('root-pw');
    await admin.user('root').addRole('root');
    await admin.auth.authEnable({});
    admin.close();
    const m = secureMembership({ auth: { username: 'root', password: 'root-pw' } });
    const watch = m.watch({ parse: (v) => Member.parse(v) });
    await watch.ready();
    expect(watch.degraded).toBeUndefined();
    const joined = once(watch, 'joined');
    const reg = m.register('worker-rbac', { url: 'wss://10.0.0.9:9200' });
    await joined;
    await reg.close();
    const wrong = secureMembership({ auth: { username: 'root', password: 'nope' } });
    const denied = wrong.watch({ parse: (v) => Member.parse(v) });
    await denied.ready();
    expect(denied.degraded?.message).toMatch(/auth/i);
    await Promise.all([m.close(), wrong.close()]);
  });

  it('refuses https endpoints without a CA, and mixed or mismatched schemes', () => {
    expect(() => new Membership({ endpoints: ['https://127.0.0.1:1'] })).toThrow(/https:\/\/ endpoints need the CA/);
    expect(() => new Membership({ endpoints: ['https://127.0.0.1:1', 'http://127.0.0.1:2'], tls: { ca: 'x' } })).toThrow(/mixes/);
    expect(() => new Membership({ endpoints: ['http://127.0.0.1:1'], tls: { ca: 'x' } })).toThrow(TypeError);
    expect(() => new Membership({ endpoints: ['https://127.0.0.1:1'], tls: { ca: 'x', cert: 'y' } })).toThrow(/together/);
  });
});
