import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { serverHandlers, testProtocol, until } from '../tests/fixtures.js';
import {
  ClosedError, HeartbeatTimeoutError, NotConnectedError, ReconnectExhaustedError, dial, listen, type Peer,
  type PeerCloseEvent, type ReconnectingEvent, type TimerApi,
} from './index.js';

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

const pauseSocket = (ws: WebSocket): void => (ws as unknown as { _socket: { pause(): void } })._socket.pause();

describe('reconnect', () => {
  it('reconnects after the far side restarts on the same port, and calls work again', async () => {
    let server = await listen({ protocol: testProtocol, handlers: serverHandlers([]) });
    const port = server.port;
    const peer = dial(`ws://127.0.0.1:${port}`, { protocol: testProtocol, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    const events: string[] = [];
    peer.on('open', () => events.push('open'));
    peer.on('close', (e) => events.push(`close:${e.willReconnect}`));
    await peer.ready();
    expect(await peer.call('add', { a: 1, b: 2 })).toEqual({ sum: 3 });

    const dropped = new Promise<PeerCloseEvent>((r) => peer.once('close', r));
    await server.close();
    expect(await dropped).toMatchObject({ code: 1001, willReconnect: true });
    await expect(peer.call('add', { a: 1, b: 2 })).rejects.toBeInstanceOf(NotConnectedError);

    const reopened = new Promise<void>((r) => peer.once('open', r));
    server = await listen({ port, protocol: testProtocol, handlers: { add: ({ a, b }) => ({ sum: 10 * (a + b) }) } });
    await reopened;
    expect(await peer.call('add', { a: 1, b: 2 })).toEqual({ sum: 30 });
    expect(events).toEqual(['open', 'close:true', 'open']);
    await peer.close();
    await server.close();
    expect(events.at(-1)).toBe('close:false');
  });

  it('backs off exponentially with jitter on an injected timer, then gives up after maxAttempts', async () => {
    const port = await freePort();
    const delays: number[] = [];
    let fire: (() => void) | undefined;
    const timers: TimerApi = {
      setTimeout: (fn, ms) => {
        delays.push(ms);
        fire = fn;
        return delays.length;
      },
      clearTimeout: () => undefined,
    };
    const peer = dial(`ws://127.0.0.1:${port}`, {
      protocol: testProtocol,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5, maxAttempts: 5 },
      random: () => 0.5,
      timers,
    });
    const attempts: ReconnectingEvent[] = [];
    peer.on('reconnecting', (e) => attempts.push(e));
    const ready = peer.ready().catch((e: unknown) => e);
    for (let i = 1; i <= 5; i++) {
      await until(() => attempts.length === i);
      fire!();
    }
    const err = await ready;
    expect(err).toBeInstanceOf(ReconnectExhaustedError);
    expect((err as ReconnectExhaustedError).code).toBe('IM_TRANSPORT_RECONNECT_EXHAUSTED');
    expect(delays).toEqual([75, 150, 300, 600, 750]);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(attempts[0]!.error).toBeInstanceOf(Error);
    await expect(peer.call('add', { a: 1, b: 1 })).rejects.toBeInstanceOf(ClosedError);
  });

  it('close() stops a dialer that is waiting to reconnect', async () => {
    const port = await freePort();
    const peer = dial(`ws://127.0.0.1:${port}`, { protocol: testProtocol, reconnect: { initialDelayMs: 10_000 } });
    await new Promise<void>((r) => peer.once('reconnecting', () => r()));
    const closed = new Promise<PeerCloseEvent>((r) => peer.once('close', r));
    await peer.close();
    expect((await closed).willReconnect).toBe(false);
    await expect(peer.ready()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('heartbeat', () => {
  it('the listener declares a silent dialer dead and fails its pending calls', async () => {
    const server = await listen({ protocol: testProtocol, heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100 });
    const connected = new Promise<Peer<typeof testProtocol>>((r) => server.once('connection', r));
    const raw = new WebSocket(`ws://127.0.0.1:${server.port}`);
    await new Promise((r) => raw.once('open', r));
    const peer = await connected;
    const closed = new Promise<PeerCloseEvent>((r) => peer.once('close', r));
    const call = peer.call('add', { a: 1, b: 1 }, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    const start = Date.now();
    pauseSocket(raw);
    const info = await closed;
    // The heartbeat (50 + 100 ms), not the call's own 10 s timeout, ended it; the bound leaves room for a
    // loaded shared machine, where timers fire late.
    expect(Date.now() - start).toBeLessThan(2_000);
    expect(info.error).toBeInstanceOf(HeartbeatTimeoutError);
    expect((info.error as HeartbeatTimeoutError).code).toBe('IM_TRANSPORT_HEARTBEAT_TIMEOUT');
    const err = await call;
    expect(err).toBeInstanceOf(ClosedError);
    expect((err as ClosedError).cause).toBeInstanceOf(HeartbeatTimeoutError);
    expect(server.peers.size).toBe(0);
    raw.terminate();
    await server.close();
  });

  it('the dialer declares a listener that upgrades and then goes silent dead', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', pauseSocket);
    const peer = dial(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, {
      protocol: testProtocol, reconnect: false, heartbeatIntervalMs: 50, heartbeatTimeoutMs: 100,
    });
    await peer.ready();
    const closed = new Promise<PeerCloseEvent>((r) => peer.once('close', r));
    const call = peer.call('add', { a: 1, b: 1 }, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    const info = await closed;
    expect(info.error).toBeInstanceOf(HeartbeatTimeoutError);
    expect(info.willReconnect).toBe(false);
    expect(await call).toBeInstanceOf(ClosedError);
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });
});
