import { describe, expect, it } from 'vitest';
import { testProtocol } from '../tests/fixtures.js';
import { dial, listen } from './index.js';
import { DialOptionsSchema, ListenOptionsSchema } from './options.js';

describe('options', () => {
  it('fills defaults once', () => {
    const o = DialOptionsSchema.parse({ protocol: testProtocol });
    expect(o).toMatchObject({
      heartbeatIntervalMs: 10_000, heartbeatTimeoutMs: 5_000, maxPayloadBytes: 64 * 1024 * 1024, maxPendingCalls: 1024,
      maxBufferedBytes: 16 * 1024 * 1024, timeoutMs: 30_000, connectTimeoutMs: 10_000,
      reconnect: { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, jitter: 0.2 },
    });
    expect(ListenOptionsSchema.parse({ protocol: testProtocol }).host).toBe('127.0.0.1');
  });

  it('throws RangeError for a value out of range, with an exact message', async () => {
    await expect(listen({ protocol: testProtocol, port: 70_000 })).rejects.toThrow(
      new RangeError('Invalid listen option "port": Too big: expected number to be <=65535'),
    );
    expect(() => dial('ws://127.0.0.1:1', { protocol: testProtocol, reconnect: { jitter: 2 } })).toThrow(
      new RangeError('Invalid dial option "reconnect.jitter": Too big: expected number to be <=1'),
    );
    expect(() => dial('ws://127.0.0.1:1', { protocol: testProtocol, reconnect: { initialDelayMs: 500, maxDelayMs: 100 } })).toThrow(
      new RangeError('Invalid dial option "reconnect.maxDelayMs": must be >= initialDelayMs'),
    );
  });

  it('throws TypeError for a wrong type, an unknown key or a bad combination', async () => {
    expect(() => dial('ws://127.0.0.1:1', { protocol: testProtocol, maxPendingCalls: '5' as unknown as number })).toThrow(
      new TypeError('Invalid dial option "maxPendingCalls": Invalid input: expected number, received string'),
    );
    expect(() => dial('ws://127.0.0.1:1', { protocol: { x: { request: 1 } } as never })).toThrow(TypeError);
    expect(() => dial('ws://127.0.0.1:1', { protocol: testProtocol, heartbeat: 5 } as never)).toThrow(
      new TypeError('Invalid dial option "(root)": Unrecognized key: "heartbeat"'),
    );
    expect(() => dial('http://127.0.0.1:1', { protocol: testProtocol })).toThrow(
      new TypeError('Invalid dial url: expected ws: or wss:, got http:'),
    );
    const { createServer } = await import('node:http');
    await expect(listen({ protocol: testProtocol, server: createServer(), port: 1 })).rejects.toThrow(
      new TypeError('Invalid listen option "port": give either port or server, not both'),
    );
    await expect(listen({ protocol: testProtocol, server: createServer(), exclusive: true })).rejects.toThrow(
      new TypeError('Invalid listen option "exclusive": exclusive binds a port of this listener\'s own: not with server'),
    );
  });
});
