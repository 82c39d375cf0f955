import { MessageChannel, Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { serverHandlers, testProtocol, type HangRecord, type TestProtocol } from '../tests/fixtures.js';
import { AbortedError, ClosedError, connectPort, InvalidMessageError, LocalChannel, MethodNotFoundError, RemoteError, TimeoutError, type Peer } from './index.js';

let open: Array<Peer<TestProtocol>> = [];
afterEach(async () => {
  await Promise.all(open.map((p) => p.close().catch(() => undefined)));
  open = [];
});

function pairOn(channel: MessageChannel | LocalChannel = new MessageChannel()): { client: Peer<TestProtocol>; server: Peer<TestProtocol>; hangs: HangRecord[] } {
  const hangs: HangRecord[] = [];
  const server = connectPort(channel.port1, { protocol: testProtocol, handlers: serverHandlers(hangs), id: 'host' });
  const client = connectPort(channel.port2, { protocol: testProtocol, id: 'caller' });
  open.push(client, server);
  return { client, server, hangs };
}

const CHANNELS = [
  { name: 'a MessagePort (two threads)', make: () => new MessageChannel(), address: 'thread:caller' },
  { name: 'a LocalChannel (one thread)', make: () => new LocalChannel(), address: 'local:caller' },
];

describe.each(CHANNELS)('connectPort: the RPC over $name', ({ make, address }) => {
  const pair = (): ReturnType<typeof pairOn> => pairOn(make());

  it('answers calls, out of order, and delivers typed arrays as their own class', async () => {
    const { client } = pair();
    expect(client.isOpen).toBe(true);
    expect(client.remoteAddress).toBe(address);
    // Answers come back in the order the handler gives them (the last call's first), each matched to its call.
    const order: string[] = [];
    const tags = await Promise.all(['a', 'b', 'c'].map((tag) => client.call('echo', { value: tag }).then((r) => (order.push(r.value as string), r.value))));
    expect(tags).toEqual(['a', 'b', 'c']);
    expect(order).toEqual(['a', 'b', 'c']);
    const late = await Promise.all(['x', 'y'].map((tag, i) => client.call('sleep', { ms: i === 0 ? 200 : 0, tag }).then((r) => (order.push(r.tag), r.tag))));
    expect(late).toEqual(['x', 'y']);
    expect(order.slice(3)).toEqual(['y', 'x']);
    const f32 = new Float32Array([1.5, -2.25, Number.NaN]);
    const i64 = new BigInt64Array([-(2n ** 62n)]);
    const res = await client.call('tensors', { f32, i64, u8: new Uint8Array([0, 255]) });
    expect(res.f32).toBeInstanceOf(Float32Array);
    expect([...res.f32]).toEqual([...f32]);
    expect([...res.i64]).toEqual([...i64]);
  });

  it('raises the same typed errors as a WebSocket: remote with its code, method-not-found, invalid request and response', async () => {
    const { client } = pair();
    await expect(client.call('fail', { message: 'nope', code: 'IM_X' })).rejects.toMatchObject({ constructor: RemoteError, message: expect.stringContaining('nope'), remoteCode: 'IM_X' });
    await expect(client.call('unhandled', {})).rejects.toBeInstanceOf(MethodNotFoundError);
    await expect(client.call('add', { a: 1, b: 'two' } as never)).rejects.toBeInstanceOf(InvalidMessageError);
    await expect(client.call('badResponse', {})).rejects.toBeInstanceOf(InvalidMessageError);
  });

  it('a deadline or an abort ends the wait and cancels the handler on the other side', async () => {
    const { client, hangs } = pair();
    await expect(client.call('hang', {}, { deadline: performance.now() + 30 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await hangs[0]!.aborted).toBeInstanceOf(Error);
    expect(hangs[0]!.deadline).toBeGreaterThan(Date.now() - 1_000);
    const controller = new AbortController();
    const call = client.call('hang', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    expect(await hangs[1]!.aborted).toBeInstanceOf(Error);
  });

  it('closing one side closes the other with the code and reason; calls in flight fail with ClosedError', async () => {
    const { client, server } = pair();
    const closed = new Promise((resolve) => server.once('close', resolve));
    const pending = expect(client.call('hang', {})).rejects.toBeInstanceOf(ClosedError);
    await client.close(4001, 'bye');
    await pending;
    expect(await closed).toMatchObject({ code: 4001, reason: 'bye', willReconnect: false });
    expect(server.isOpen).toBe(false);
    await expect(client.call('add', { a: 1, b: 2 })).rejects.toBeInstanceOf(ClosedError);
  });
});

describe('connectPort over a LocalChannel', () => {
  it('hands typed arrays over by reference, and delivers calls sent before the other end connects', async () => {
    const channel = new LocalChannel();
    const client = connectPort(channel.port2, { protocol: testProtocol, id: 'early' });
    open.push(client);
    const f32 = new Float32Array([1, 2]);
    let seen: Float32Array | undefined;
    const answer = client.call('tensors', { f32, i64: new BigInt64Array(1), u8: new Uint8Array(1) });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const handlers = serverHandlers([]);
    const server = connectPort(channel.port1, {
      protocol: testProtocol, id: 'late',
      handlers: { ...handlers, tensors: (request) => ((seen = request.f32), request) },
    });
    open.push(server);
    expect([...(await answer).f32]).toEqual([1, 2]);
    expect(seen).toBe(f32);
  });

  it('uncheckedAnswers: those answers arrive as sent (the same objects), calls and every other answer are still checked', async () => {
    const channel = new LocalChannel();
    const sent: unknown[] = [];
    const handlers = serverHandlers([]);
    const server = connectPort(channel.port1, {
      protocol: testProtocol, id: 'host',
      handlers: { ...handlers, add: ({ a, b }) => { const answer = { sum: a + b }; sent.push(answer); return answer; } },
    });
    const client = connectPort(channel.port2, { protocol: testProtocol, id: 'caller', uncheckedAnswers: ['add', 'badResponse'] });
    open.push(client, server);
    const answer = await client.call('add', { a: 1, b: 2 });
    expect(answer).toEqual({ sum: 3 });
    expect(answer).toBe(sent[0]);
    expect(await client.call('badResponse', {})).toEqual({ n: 'not a number' });
    await expect(client.call('add', { a: 1, b: 'two' } as never)).rejects.toBeInstanceOf(InvalidMessageError);
  });

  it('uncheckedCalls: those calls reach the handler as sent (the same object, no defaults), every other method is still checked', async () => {
    const channel = new LocalChannel();
    const received: unknown[] = [];
    const server = connectPort(channel.port1, {
      protocol: testProtocol, id: 'host', uncheckedCalls: ['echo'],
      handlers: { ...serverHandlers([]), echo: (req) => { received.push(req); return { value: 'ok' }; } },
    });
    const client = connectPort(channel.port2, { protocol: testProtocol, id: 'caller' });
    open.push(client, server);
    const call = { value: 1, extra: 'kept' };
    expect(await client.call('echo', call)).toEqual({ value: 'ok' });
    // The same object: a check would have made a copy without the unknown key.
    expect(received[0]).toBe(call);
    await expect(client.call('add', { a: 1, b: 'two' } as never)).rejects.toBeInstanceOf(InvalidMessageError);
  });

  it('terminating one end closes both with 1006', async () => {
    const channel = new LocalChannel();
    const a = connectPort(channel.port1, { protocol: testProtocol, handlers: serverHandlers([]) });
    const b = connectPort(channel.port2, { protocol: testProtocol });
    const closed = new Promise((resolve) => a.once('close', resolve));
    const pending = expect(a.call('hang', {})).rejects.toBeInstanceOf(ClosedError);
    channel.port2.close(1006, 'terminated');
    expect(await closed).toMatchObject({ code: 1006, willReconnect: false });
    await pending;
    expect(b.isOpen).toBe(false);
    expect(channel.port1.closed && channel.port2.closed).toBe(true);
  });
});

describe('connectPort over a MessagePort', () => {

  it('a malformed message on the port gets an error frame or closes the channel, never a crash', async () => {
    const replies: unknown[] = [];
    const raw = new MessageChannel();
    // A raw end stands in for a misbehaving thread.
    const victim = connectPort(raw.port1, { protocol: testProtocol, handlers: serverHandlers([]), id: 'victim' });
    open.push(victim);
    const errors: unknown[] = [];
    victim.on('protocol-error', (e) => errors.push(e));
    raw.port2.on('message', (m) => replies.push(m));
    raw.port2.postMessage({ type: 'call', id: 7, method: 'add', payload: { a: 1 } });
    raw.port2.postMessage({ type: 'call', id: 'x' });
    const closed = new Promise((resolve) => victim.once('close', resolve));
    expect(await closed).toMatchObject({ code: 1008 });
    expect(replies[0]).toMatchObject({ type: 'error', id: 7, kind: 'invalid-message' });
    expect(errors).toHaveLength(1);
    raw.port2.close();
  });

  it('a thread that ends closes its peer (1006) and fails its calls', async () => {
    const channel = new MessageChannel();
    const worker = new Worker('const { workerData } = require("node:worker_threads"); workerData.port.on("message", () => process.exit(0));', {
      eval: true, workerData: { port: channel.port2 }, transferList: [channel.port2],
    });
    const peer = connectPort(channel.port1, { protocol: testProtocol });
    open.push(peer);
    const closed = new Promise((resolve) => peer.once('close', resolve));
    const pending = peer.call('add', { a: 1, b: 2 });
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    expect(await closed).toMatchObject({ code: 1006, willReconnect: false });
    await worker.terminate();
  });
});

describe('compactViews', () => {
  it('copies only typed arrays that view part of a larger buffer, and the objects on their path', async () => {
    const { compactViews } = await import('./carrier.js');
    const pool = new ArrayBuffer(65_536);
    const view = new Float32Array(pool, 1024, 4);
    view.set([1, 2, 3, 4]);
    const own = new Int32Array([5, 6]);
    const value = { a: { t: view, n: 1 }, b: [own, 'x'], c: { keep: own } };
    const out = compactViews(value) as typeof value;
    expect(out.a.t).toBeInstanceOf(Float32Array);
    expect([...out.a.t]).toEqual([1, 2, 3, 4]);
    expect(out.a.t.buffer.byteLength).toBe(16);
    expect(out.b).toBe(value.b);
    expect(out.c).toBe(value.c);
    expect(value.a.t).toBe(view);
    expect(compactViews(value.c)).toBe(value.c);
  });

  it('a view on a big buffer reaches the other thread as its own bytes only', async () => {
    const { client } = pairOn(new MessageChannel());
    const pool = new ArrayBuffer(1 << 20);
    const f32 = new Float32Array(pool, 4096, 3);
    f32.set([1.5, -2, 3]);
    const res = await client.call('tensors', { f32, i64: new BigInt64Array(1), u8: new Uint8Array(new ArrayBuffer(1 << 16), 10, 2) });
    expect([...res.f32]).toEqual([1.5, -2, 3]);
    expect(res.f32.buffer.byteLength).toBe(12);
    expect(res.u8.buffer.byteLength).toBe(2);
  });
});
