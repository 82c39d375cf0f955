import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ListenFailedError, listenAs } from './listen-failure.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A real node:http server bound the way the apps bind theirs: resolves when listening, rejects on 'error'. */
function bind(port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

describe('listenAs', () => {
  it('turns a port in use into IM_LISTEN_FAILED naming the listener, its flag and the address', async () => {
    const taken = await bind(0);
    const port = (taken.address() as AddressInfo).port;
    const error = await listenAs({ what: 'the worker channel', flag: '--worker-port', host: '127.0.0.1', port }, () => bind(port)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenFailedError);
    expect((error as ListenFailedError).code).toBe('IM_LISTEN_FAILED');
    expect((error as Error).message).toBe(`the worker channel (--worker-port) cannot listen on 127.0.0.1:${port}: the port is in use (another infermesh, or another program, holds it)`);
    expect(((error as Error).cause as { code?: string }).code).toBe('EADDRINUSE');
  });

  it('says so for an address that is not this host\'s', async () => {
    const error = await listenAs({ what: 'the client API', flag: '--listen-port', host: '192.0.2.1', port: 0 }, () => bind(0, '192.0.2.1')).catch((e: unknown) => e);
    expect((error as Error).message).toBe('the client API (--listen-port) cannot listen on 192.0.2.1:0: the address is not one of this host\'s');
  });

  it('reads a failed bind from grpc-js\'s message, and passes any other error through', async () => {
    const grpcLike = new Error('No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 127.0.0.1:9001]');
    await expect(listenAs({ what: 'gRPC', flag: '--grpc-port', host: '127.0.0.1', port: 9001 }, () => Promise.reject(grpcLike))).rejects.toThrow(
      'gRPC (--grpc-port) cannot listen on 127.0.0.1:9001: the port is in use',
    );
    const other = new TypeError('bad options');
    await expect(listenAs({ what: 'x', flag: '--x', host: 'h', port: 1 }, () => Promise.reject(other))).rejects.toBe(other);
    const server = await listenAs({ what: 'x', flag: '--x', host: '127.0.0.1', port: 0 }, () => bind(0));
    expect(server.listening).toBe(true);
  });
});
