import { createServer, type Server } from 'node:http';
import { Packr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { harness, testProtocol, type Harness } from '../tests/fixtures.js';
import { ProtocolError, UnauthorizedError, dial, listen, type Peer, type PeerCloseEvent } from './index.js';

const packr = new Packr({ moreTypes: true, useRecords: false });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A raw ws client (no library) plus the server-side Peer it became. */
async function rawClient(url: string, server: Harness['server']): Promise<{ ws: WebSocket; peer: Peer<typeof testProtocol> }> {
  const connected = new Promise<Peer<typeof testProtocol>>((r) => server.once('connection', r));
  const ws = new WebSocket(url);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  return { ws, peer: await connected };
}

const closeCodeOf = (ws: WebSocket): Promise<number> => new Promise((r) => ws.once('close', (code) => r(code)));

describe('hostile input', () => {
  it.each([
    ['a text frame', (ws: WebSocket) => ws.send('hello'), 1007],
    ['undecodable bytes', (ws: WebSocket) => ws.send(Buffer.from([0x92, 0x01])), 1007],
    ['a frame that fails the envelope', (ws: WebSocket) => ws.send(packr.pack({ type: 'bogus', id: 1 })), 1008],
    ['a result frame with a negative id', (ws: WebSocket) => ws.send(packr.pack({ type: 'result', id: -1 })), 1008],
  ])('closes the connection that sends %s and keeps serving others', async (_name, send, expected) => {
    h = await harness();
    const raw = await rawClient(h.url, h.server);
    const protocolError = new Promise<ProtocolError>((r) => raw.peer.once('protocol-error', r));
    const closed = closeCodeOf(raw.ws);
    send(raw.ws);
    const err = await protocolError;
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.code).toBe('IM_TRANSPORT_PROTOCOL');
    expect(err.closeCode).toBe(expected);
    expect(await closed).toBe(expected);
    await expect.poll(() => h!.server.peers.has(raw.peer)).toBe(false);
    expect(await h.client.call('add', { a: 20, b: 22 })).toEqual({ sum: 42 });
  });

  it('answers a call frame with a bad envelope but a usable id with an error frame, and stays up', async () => {
    h = await harness();
    const raw = await rawClient(h.url, h.server);
    const protocolError = new Promise<ProtocolError>((r) => raw.peer.once('protocol-error', r));
    const answer = new Promise<unknown>((r) => raw.ws.once('message', (data) => r(packr.unpack(data as Buffer))));
    raw.ws.send(packr.pack({ type: 'call', id: 7, method: 42 }));
    expect(await answer).toMatchObject({ type: 'error', id: 7, kind: 'invalid-message' });
    expect(await protocolError).toBeInstanceOf(ProtocolError);
    const next = new Promise<unknown>((r) => raw.ws.once('message', (data) => r(packr.unpack(data as Buffer))));
    raw.ws.send(packr.pack({ type: 'call', id: 8, method: 'add', payload: { a: 1, b: 2 } }));
    expect(await next).toEqual({ type: 'result', id: 8, payload: { sum: 3 } });
    raw.ws.close();
  });

  it('enforces maxPayloadBytes with close code 1009', async () => {
    h = await harness({ maxPayloadBytes: 2048 });
    const raw = await rawClient(h.url, h.server);
    const protocolError = new Promise<ProtocolError>((r) => raw.peer.once('protocol-error', r));
    const closed = closeCodeOf(raw.ws);
    raw.ws.send(Buffer.alloc(4096));
    expect((await protocolError).closeCode).toBe(1009);
    expect(await closed).toBe(1009);
    expect(await h.client.call('add', { a: 1, b: 1 })).toEqual({ sum: 2 });
  });
});

describe('authentication and shared servers', () => {
  let http: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => (http ? http.close(r) : r(undefined)));
    http = undefined;
  });

  async function sharedServer(): Promise<{ port: number; upgrades: () => number }> {
    let upgrades = 0;
    http = createServer((_req, res) => res.end('plain http still works'));
    http.on('upgrade', () => (upgrades += 1));
    await new Promise<void>((r) => http!.listen(0, '127.0.0.1', r));
    return { port: (http.address() as { port: number }).port, upgrades: () => upgrades };
  }

  it('refuses a wrong or missing secret with 401, and the dialer stops instead of hammering', async () => {
    const { port, upgrades } = await sharedServer();
    const server = await listen({ server: http!, path: '/rpc', protocol: testProtocol, secret: 'right-secret', handlers: { add: ({ a, b }) => ({ sum: a + b }) } });
    let connections = 0;
    server.on('connection', () => (connections += 1));

    for (const secret of ['wrong-secret', undefined]) {
      const peer = dial(`ws://127.0.0.1:${port}/rpc`, {
        protocol: testProtocol,
        ...(secret === undefined ? {} : { secret }),
        reconnect: { initialDelayMs: 1, maxDelayMs: 5 },
      });
      const reconnects: unknown[] = [];
      peer.on('reconnecting', (e) => reconnects.push(e));
      const closed = new Promise<PeerCloseEvent>((r) => peer.once('close', r));
      const err = await peer.ready().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect((err as UnauthorizedError).code).toBe('IM_TRANSPORT_UNAUTHORIZED');
      expect((await closed).willReconnect).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
      expect(reconnects).toEqual([]);
      await peer.close();
    }
    expect(upgrades()).toBe(2);
    expect(connections).toBe(0);

    const good = dial(`ws://127.0.0.1:${port}/rpc`, { protocol: testProtocol, secret: 'right-secret', reconnect: false });
    await good.ready();
    expect(await good.call('add', { a: 2, b: 2 })).toEqual({ sum: 4 });
    expect(connections).toBe(1);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('plain http still works');
    await good.close();
    await server.close();
    expect(http!.listening).toBe(true);
  });

  it('authenticate: names each dialer by its token, refuses unknown and revoked tokens with 401', async () => {
    const tokens = new Map([['token-of-a', 'worker-a'], ['token-of-b', 'worker-b']]);
    const seen: Array<string | undefined> = [];
    const server = await listen({
      protocol: testProtocol,
      authenticate: (token) => {
        seen.push(token);
        return token === undefined ? undefined : tokens.get(token);
      },
      handlers: { add: ({ a, b }) => ({ sum: a + b }) },
    });
    const identities: Array<string | undefined> = [];
    server.on('connection', (p) => identities.push(p.identity));
    const url = `ws://127.0.0.1:${server.port}`;
    const a = dial(url, { protocol: testProtocol, secret: 'token-of-a', reconnect: false });
    await a.ready();
    expect(await a.call('add', { a: 1, b: 1 })).toEqual({ sum: 2 });
    for (const secret of ['token-of-nobody', undefined]) {
      const peer = dial(url, { protocol: testProtocol, ...(secret === undefined ? {} : { secret }), reconnect: false });
      expect(await peer.ready().catch((e: unknown) => e)).toBeInstanceOf(UnauthorizedError);
      await peer.close();
    }
    tokens.delete('token-of-b');
    const b = dial(url, { protocol: testProtocol, secret: 'token-of-b', reconnect: false });
    expect(await b.ready().catch((e: unknown) => e)).toBeInstanceOf(UnauthorizedError);
    expect(identities).toEqual(['worker-a']);
    expect(seen).toEqual(['token-of-a', 'token-of-nobody', undefined, 'token-of-b']);
    await Promise.all([a.close(), b.close()]);
    await server.close();
  });

  it('refuses secret and authenticate together', async () => {
    await expect(listen({ protocol: testProtocol, secret: 'x', authenticate: () => 'id' })).rejects.toThrow(TypeError);
  });

  it('lets handlers registered on the server serve every peer', async () => {
    const server = await listen({ protocol: testProtocol });
    server.handle('add', ({ a, b }) => ({ sum: a - b }));
    const peer = dial(`ws://127.0.0.1:${server.port}`, { protocol: testProtocol, reconnect: false });
    await peer.ready();
    expect(await peer.call('add', { a: 5, b: 3 })).toEqual({ sum: 2 });
    expect(server.peers.size).toBe(1);
    await server.close();
    expect(server.peers.size).toBe(0);
    expect(peer.isOpen).toBe(false);
    await peer.close();
  });
});
