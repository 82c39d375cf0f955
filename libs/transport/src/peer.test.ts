import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { harness, serverHandlers, type Harness } from '../tests/fixtures.js';
import {
  AbortedError, BackpressureError, ClosedError, InvalidMessageError, MethodNotFoundError, NotConnectedError, RemoteError,
  TimeoutError, dial,
} from './index.js';
import { testProtocol } from '../tests/fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('calls', () => {
  it('pipelines many calls on one socket and matches answers that come back out of order', async () => {
    // The server holds every call until all five are in, then answers them last to first: the order is
    // the handler's, not the scheduler's (timed sleeps reordered under load).
    const held: Array<{ tag: string; answer: () => void }> = [];
    let release!: () => void;
    const allIn = new Promise<void>((r) => (release = r));
    h = await harness({
      handlers: {
        ...serverHandlers([]),
        sleep: ({ tag }) =>
          new Promise<{ tag: string }>((resolve) => {
            held.push({ tag, answer: () => resolve({ tag }) });
            if (held.length === 5) release();
          }),
      },
    });
    const tags = ['a', 'b', 'c', 'd', 'e'];
    const order: string[] = [];
    const calls = tags.map((tag) =>
      h!.client.call('sleep', { ms: 0, tag }).then((r) => {
        order.push(r.tag);
        return r.tag;
      }),
    );
    expect(h.client.pendingCalls).toBe(5);
    await allIn;
    for (const call of [...held].reverse()) {
      call.answer();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await Promise.all(calls)).toEqual(tags);
    expect(order).toEqual([...tags].reverse());
    expect(h.client.pendingCalls).toBe(0);
  });

  it('is symmetric: the listening side calls the dialer', async () => {
    h = await harness({}, { handlers: { add: ({ a, b }) => ({ sum: a * 100 + b }) } });
    expect(await h.serverPeer.call('add', { a: 2, b: 3 })).toEqual({ sum: 203 });
    expect(await h.client.call('add', { a: 2, b: 3 })).toEqual({ sum: 5 });
  });

  it('round-trips typed arrays with their class, without base64', async () => {
    h = await harness();
    const f32 = new Float32Array([1.5, -2.25, Math.PI, Number.NaN]);
    const i64 = new BigInt64Array([1n, -(2n ** 62n), 2n ** 63n - 1n]);
    const u8 = new Uint8Array([0, 255, 7]);
    const res = await h.client.call('tensors', { f32, i64, u8 });
    expect(res.f32).toBeInstanceOf(Float32Array);
    expect(res.i64).toBeInstanceOf(BigInt64Array);
    expect(res.u8).toBeInstanceOf(Uint8Array);
    expect([...res.f32]).toEqual([...f32]);
    expect([...res.i64]).toEqual([...i64]);
    expect([...res.u8]).toEqual([...u8]);
  });
});

describe('timeouts and cancellation', () => {
  it('rejects with TimeoutError, carries the deadline and cancels the handler on the other side', async () => {
    h = await harness();
    const before = Date.now();
    const err = await h.client.call('hang', {}, { timeoutMs: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).code).toBe('IM_TRANSPORT_TIMEOUT');
    expect(Date.now() - before).toBeGreaterThanOrEqual(55);
    expect(h.hangs).toHaveLength(1);
    const deadline = h.hangs[0]!.deadline!;
    expect(deadline).toBeGreaterThanOrEqual(before + 60);
    expect(deadline).toBeLessThanOrEqual(before + 200);
    expect(await h.hangs[0]!.aborted).toBeInstanceOf(AbortedError);
  });

  it('rejects with AbortedError when the caller aborts, and the callee sees its signal abort', async () => {
    h = await harness();
    const controller = new AbortController();
    const call = h.client.call('hang', {}, { signal: controller.signal });
    await expect.poll(() => h!.hangs.length).toBe(1);
    controller.abort(new Error('user gave up'));
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).cause).toEqual(new Error('user gave up'));
    const reason = await h.hangs[0]!.aborted;
    expect(reason).toBeInstanceOf(AbortedError);
    expect(h.client.pendingCalls).toBe(0);
  });

  it('gives a handler that reads ctx.signal only after the cancel an already-aborted signal', async () => {
    let seen: boolean | undefined;
    h = await harness({
      handlers: {
        hang: async (_req, ctx) => {
          await new Promise((r) => setTimeout(r, 80));
          seen = ctx.signal.aborted;
          return {};
        },
      },
    });
    await expect(h.client.call('hang', {}, { timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError);
    await expect.poll(() => seen).toBe(true);
  });

  it('rejects at once with an already-aborted signal and sends nothing', async () => {
    h = await harness();
    await expect(h.client.call('hang', {}, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.hangs).toHaveLength(0);
  });

  it('takes an absolute monotonic deadline instead of a timeout; one already past rejects at once', async () => {
    h = await harness();
    const before = Date.now();
    const err = await h.client.call('hang', {}, { deadline: performance.now() + 60, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(Date.now() - before).toBeGreaterThanOrEqual(55);
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(h.hangs[0]!.deadline!).toBeLessThanOrEqual(before + 200);
    await expect(h.client.call('add', { a: 1, b: 1 }, { deadline: performance.now() - 1 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(h.client.call('add', { a: 1, b: 1 }, { deadline: Number.NaN })).rejects.toBeInstanceOf(TypeError);
    expect(await h.client.call('add', { a: 1, b: 2 }, { deadline: performance.now() + 5_000 })).toEqual({ sum: 3 });
  });

  it('refuses a bad timeoutMs', async () => {
    h = await harness();
    await expect(h.client.call('add', { a: 1, b: 1 }, { timeoutMs: 0 })).rejects.toThrow(
      new RangeError('Invalid call option "timeoutMs": expected an integer in [1, 2147483647]'),
    );
  });
});

describe('validation and remote errors', () => {
  it('answers a request that fails its schema with a remote InvalidMessageError and stays connected', async () => {
    h = await harness();
    const err = await h.client.call('add', { a: 1, b: 'two' } as unknown as { a: number; b: number }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidMessageError);
    expect((err as InvalidMessageError).code).toBe('IM_TRANSPORT_INVALID_MESSAGE');
    expect((err as InvalidMessageError).side).toBe('remote');
    expect((err as Error).message).toContain('b:');
    expect(h.client.isOpen).toBe(true);
    expect(await h.client.call('add', { a: 1, b: 2 })).toEqual({ sum: 3 });
  });

  it('checks answers against the response schema', async () => {
    h = await harness();
    const err = await h.client.call('badResponse', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidMessageError);
    expect((err as InvalidMessageError).side).toBe('local');
  });

  it('reports a method the other side does not handle as MethodNotFoundError', async () => {
    h = await harness();
    const err = await h.client.call('unhandled', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MethodNotFoundError);
    expect((err as MethodNotFoundError).code).toBe('IM_TRANSPORT_METHOD_NOT_FOUND');
    expect((err as MethodNotFoundError).method).toBe('unhandled');
  });

  it('reports a method missing from the other side\'s table as MethodNotFoundError', async () => {
    h = await harness();
    const wider = { ...testProtocol, extra: testProtocol.add };
    const peer = dial(h.url, { protocol: wider, reconnect: false });
    await peer.ready();
    await expect(peer.call('extra', { a: 1, b: 1 })).rejects.toBeInstanceOf(MethodNotFoundError);
    await peer.close();
  });

  it('carries a handler error code and message, never its stack', async () => {
    h = await harness();
    const err = await h.client.call('fail', { message: 'model exploded', code: 'IM_WORKER_RUNTIME' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).code).toBe('IM_TRANSPORT_REMOTE');
    expect((err as RemoteError).remoteCode).toBe('IM_WORKER_RUNTIME');
    expect((err as RemoteError).message).toBe('model exploded');
    expect((err as RemoteError).stack).not.toContain('fixtures');
    const plain = await h.client.call('fail', { message: 'no code', code: 42 }).catch((e: unknown) => e);
    expect((plain as RemoteError).remoteCode).toBeUndefined();
  });
});

describe('backpressure and connection state', () => {
  it('rejects at once beyond maxPendingCalls', async () => {
    h = await harness({}, { maxPendingCalls: 2 });
    const a = h.client.call('hang', {}).catch((e: unknown) => e);
    const b = h.client.call('hang', {}).catch((e: unknown) => e);
    const err = await h.client.call('add', { a: 1, b: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    expect((err as BackpressureError).code).toBe('IM_TRANSPORT_BACKPRESSURE');
    expect((err as BackpressureError).limit).toBe('maxPendingCalls');
    await h.client.close();
    expect(await a).toBeInstanceOf(ClosedError);
    expect(await b).toBeInstanceOf(ClosedError);
  });

  it('rejects at once when the socket send buffer is beyond maxBufferedBytes', async () => {
    // A far side that stops reading: the kernel buffers fill and ws starts queueing.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 256 * 1024 * 1024 });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => (ws as unknown as { _socket: { pause(): void } })._socket.pause());
    const port = (wss.address() as { port: number }).port;
    const peer = dial(`ws://127.0.0.1:${port}`, { protocol: testProtocol, reconnect: false, maxBufferedBytes: 1024, heartbeatIntervalMs: 0, closeTimeoutMs: 50 });
    await peer.ready();
    const big = peer.call('echo', { value: new Uint8Array(32 * 1024 * 1024) }).catch((e: unknown) => e);
    expect(peer.bufferedAmount).toBeGreaterThan(1024);
    const err = await peer.call('add', { a: 1, b: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackpressureError);
    expect((err as BackpressureError).limit).toBe('maxBufferedBytes');
    await peer.close(1000, 'done');
    expect(await big).toBeInstanceOf(ClosedError);
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });

  it('close() fails pending calls on both sides with ClosedError and aborts handlers', async () => {
    h = await harness({}, { handlers: { hang: () => new Promise(() => undefined) } });
    const fromClient = h.client.call('hang', {}).catch((e: unknown) => e);
    const fromServer = h.serverPeer.call('hang', {}).catch((e: unknown) => e);
    await expect.poll(() => h!.hangs.length).toBe(1);
    const serverClosed = new Promise((r) => h!.serverPeer.once('close', r));
    await h.client.close(4000, 'bye');
    const clientErr = await fromClient;
    expect(clientErr).toBeInstanceOf(ClosedError);
    expect((clientErr as ClosedError).code).toBe('IM_TRANSPORT_CLOSED');
    expect((await fromServer) as ClosedError).toBeInstanceOf(ClosedError);
    expect(await serverClosed).toMatchObject({ code: 4000, reason: 'bye', willReconnect: false });
    expect(await h.hangs[0]!.aborted).toBeInstanceOf(ClosedError);
    expect(h.client.isOpen).toBe(false);
    await expect(h.client.call('add', { a: 1, b: 1 })).rejects.toBeInstanceOf(ClosedError);
    await expect(h.serverPeer.call('add', { a: 1, b: 1 })).rejects.toBeInstanceOf(ClosedError);
  });

  it('rejects calls with NotConnectedError while a dialer is not connected, without queueing', async () => {
    const peer = dial('ws://127.0.0.1:1', { protocol: testProtocol, reconnect: { initialDelayMs: 1000 } });
    const err = await peer.call('add', { a: 1, b: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotConnectedError);
    expect((err as NotConnectedError).code).toBe('IM_TRANSPORT_NOT_CONNECTED');
    await peer.close();
    await expect(peer.ready()).rejects.toBeInstanceOf(ClosedError);
  });
});
