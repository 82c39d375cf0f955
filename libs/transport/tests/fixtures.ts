import { z } from 'zod/v4';
import { dial, listen, type DialingPeer, type DialOptions, type ListenOptions, type Peer, type TransportServer } from '../src/index.js';

/** A method table exercising every path: echo, pipelining, slow and cancellable handlers, failures. */
export const testProtocol = {
  echo: { request: z.object({ value: z.unknown() }), response: z.object({ value: z.unknown() }) },
  add: { request: z.object({ a: z.number(), b: z.number() }), response: z.object({ sum: z.number() }) },
  sleep: { request: z.object({ ms: z.int().min(0), tag: z.string() }), response: z.object({ tag: z.string() }) },
  hang: { request: z.object({}), response: z.object({}) },
  fail: { request: z.object({ message: z.string(), code: z.unknown().optional() }), response: z.object({}) },
  badResponse: { request: z.object({}), response: z.object({ n: z.number() }) },
  tensors: {
    request: z.object({ f32: z.instanceof(Float32Array), i64: z.instanceof(BigInt64Array), u8: z.instanceof(Uint8Array) }),
    response: z.object({ f32: z.instanceof(Float32Array), i64: z.instanceof(BigInt64Array), u8: z.instanceof(Uint8Array) }),
  },
  /** Declared but never handled: calls get method-not-found. */
  unhandled: { request: z.object({}), response: z.object({}) },
} as const;
export type TestProtocol = typeof testProtocol;

export interface HangRecord {
  aborted: Promise<unknown>;
  deadline: number | undefined;
}

export interface Harness {
  server: TransportServer<TestProtocol>;
  client: DialingPeer<TestProtocol>;
  serverPeer: Peer<TestProtocol>;
  /** One entry per `hang` call the server received: resolves with the signal's reason when it aborts. */
  hangs: HangRecord[];
  url: string;
  close: () => Promise<void>;
}

export function serverHandlers(hangs: HangRecord[]): NonNullable<ListenOptions<TestProtocol>['handlers']> {
  return {
    echo: (req) => ({ value: req.value }),
    add: ({ a, b }) => ({ sum: a + b }),
    sleep: async ({ ms, tag }) => {
      await new Promise((r) => setTimeout(r, ms));
      return { tag };
    },
    hang: (_req, ctx) =>
      new Promise<never>(() => {
        hangs.push({
          deadline: ctx.deadline,
          aborted: new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true })),
        });
      }),
    fail: ({ message, code }) => {
      throw Object.assign(new Error(message), code === undefined ? {} : { code });
    },
    badResponse: () => ({ n: 'not a number' }) as unknown as { n: number },
    tensors: (req) => req,
  };
}

export async function harness(
  listenOptions: Partial<ListenOptions<TestProtocol>> = {},
  dialOptions: Partial<DialOptions<TestProtocol>> = {},
): Promise<Harness> {
  const hangs: HangRecord[] = [];
  const server = await listen({ protocol: testProtocol, handlers: serverHandlers(hangs), ...listenOptions });
  const connected = new Promise<Peer<TestProtocol>>((resolve) => server.once('connection', resolve));
  const url = `ws://127.0.0.1:${server.port}`;
  const client = dial(url, { protocol: testProtocol, reconnect: false, ...dialOptions });
  await client.ready();
  const serverPeer = await connected;
  return {
    server, client, serverPeer, hangs, url,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

/** Resolves on the next emission of `event`. */
export function once<T = unknown>(emitter: { once: (event: string, fn: (value: T) => void) => unknown }, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, resolve));
}

/** Polls `predicate` until true or `timeoutMs` passes (for state that has no event). */
export async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
