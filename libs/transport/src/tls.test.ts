import { makeTestPki, type TestPki } from '@infermesh/foundation/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { dial, listen, type DialingPeer, type TransportServer } from './index.js';

const protocol = {
  whoami: { request: z.object({}), response: z.object({ identity: z.string().nullable() }) },
} as const;
type P = typeof protocol;

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki('transport-tls');
});
afterAll(() => pki.remove());

const servers: Array<TransportServer<P>> = [];
const peers: Array<DialingPeer<P>> = [];
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function server(options: { mutual?: boolean; secret?: string } = {}): Promise<TransportServer<P>> {
  const cert = pki.issue('listener', { ips: ['127.0.0.1'] });
  const s = await listen<P>({
    protocol, port: 0, heartbeatIntervalMs: 0,
    tls: { cert: cert.cert, key: cert.key, ...(options.mutual ? { clientCa: pki.ca } : {}) },
    ...(options.secret !== undefined ? { secret: options.secret } : {}),
    handlers: { whoami: (_req, { peer }) => ({ identity: (peer as { identity?: string }).identity ?? null }) },
  });
  servers.push(s);
  return s;
}

function connect(port: number, tls: Parameters<typeof dial<P>>[1]['tls'], extra: { secret?: string } = {}): DialingPeer<P> {
  const peer = dial<P>(`wss://127.0.0.1:${port}`, { protocol, tls, reconnect: { maxAttempts: 1, initialDelayMs: 10 }, heartbeatIntervalMs: 0, ...extra });
  peer.on('error', () => undefined);
  peers.push(peer);
  return peer;
}

describe('wss', () => {
  it('carries calls over TLS to a dialer that trusts the listener\'s CA', async () => {
    const s = await server();
    const peer = connect(s.port, { ca: pki.ca });
    await peer.ready();
    expect(await peer.call('whoami', {})).toEqual({ identity: null });
  });

  it('refuses a listener whose certificate the dialer does not trust', async () => {
    const s = await server();
    const peer = connect(s.port, {});
    await expect(peer.ready()).rejects.toThrow();
    expect(peer.isOpen).toBe(false);
  });

  it('is refused by a plain ws dialer (the listener speaks TLS only)', async () => {
    const s = await server();
    const peer = dial<P>(`ws://127.0.0.1:${s.port}`, { protocol, reconnect: false, heartbeatIntervalMs: 0 });
    peer.on('error', () => undefined);
    peers.push(peer);
    await expect(peer.ready()).rejects.toThrow();
  });

  it('refuses tls options with a ws: url', () => {
    expect(() => dial<P>('ws://127.0.0.1:1', { protocol, tls: { ca: pki.ca } })).toThrow(/needs a wss: url/);
  });

  it('refuses tls together with a shared server', async () => {
    const { createServer } = await import('node:http');
    await expect(listen<P>({ protocol, server: createServer(), tls: { cert: 'x', key: 'y' } })).rejects.toThrow(/tls/);
  });
});

describe('mutual TLS', () => {
  it('takes a dialer with a client certificate from the CA, named by its CN', async () => {
    const s = await server({ mutual: true });
    const client = pki.issue('worker-7');
    const peer = connect(s.port, { ca: pki.ca, cert: client.cert, key: client.key });
    await peer.ready();
    expect(await peer.call('whoami', {})).toEqual({ identity: 'worker-7' });
    expect([...s.peers][0]?.identity).toBe('worker-7');
  });

  it('refuses a dialer without a client certificate in the TLS handshake', async () => {
    const s = await server({ mutual: true });
    const peer = connect(s.port, { ca: pki.ca });
    await expect(peer.ready()).rejects.toThrow();
    expect(s.peers.size).toBe(0);
  });

  it('refuses a client certificate from another CA', async () => {
    const s = await server({ mutual: true });
    const other = makeTestPki('transport-tls-other');
    try {
      const stranger = other.issue('worker-7');
      const peer = connect(s.port, { ca: pki.ca, cert: stranger.cert, key: stranger.key });
      await expect(peer.ready()).rejects.toThrow();
      expect(s.peers.size).toBe(0);
    } finally {
      other.remove();
    }
  });

  it('still checks the shared secret on top of the certificate', async () => {
    const s = await server({ mutual: true, secret: 'right-secret' });
    const client = pki.issue('worker-8');
    const wrong = connect(s.port, { ca: pki.ca, cert: client.cert, key: client.key }, { secret: 'wrong-secret' });
    await expect(wrong.ready()).rejects.toThrow(/401|unauthori/i);
    const right = connect(s.port, { ca: pki.ca, cert: client.cert, key: client.key }, { secret: 'right-secret' });
    await right.ready();
    expect(await right.call('whoami', {})).toEqual({ identity: 'worker-8' });
  });
});
