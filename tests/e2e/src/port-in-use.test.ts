import { createServer, type Server } from 'node:net';
import { APP_ENTRY, spawnApp } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRepository } from './fixtures.js';

// A port another program holds: a plain TCP listener of this test.
let holder: Server;
let taken: number;
beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  taken = (holder.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

const inUse = (what: string, flag: string) =>
  new RegExp(`IM_LISTEN_FAILED: ${what} \\(${flag}\\) cannot listen on 127\\.0\\.0\\.1:${taken}: the port is in use`);

/**
 * An app whose port is taken does not start, and says which of its listeners and which flag moves it: the
 * bare "listen EADDRINUSE: address already in use 127.0.0.1:9100" left a coordinator's user to guess among
 * the client API, gRPC and the worker channel.
 */
describe('a port in use at start', () => {
  it.each([
    ['the client API', '--listen-port', () => ['--listen-port', String(taken), '--grpc-port', 'off', '--worker-port', 'off']],
    ['gRPC', '--grpc-port', () => ['--listen-port', '0', '--grpc-port', String(taken), '--worker-port', 'off']],
    ['the worker channel', '--worker-port', () => ['--listen-port', '0', '--grpc-port', 'off', '--worker-port', String(taken), '--insecure-workers']],
  ])('stops the coordinator with IM_LISTEN_FAILED naming %s', async (what, flag, args) => {
    const p = spawnApp({ name: 'coordinator', entry: APP_ENTRY.coordinator, args: args() });
    expect(await p.exited).toBe(1);
    expect(p.output.join('\n')).toMatch(new RegExp(`^coordinator: ${inUse(what, flag).source}`, 'm'));
  });

  it.each([
    ['the listener for coordinators', '--port', () => ['--port', String(taken), '--insecure-coordinators']],
    ['the metrics endpoint', '--metrics-port', () => ['--port', '0', '--insecure-coordinators', '--metrics-port', String(taken)]],
  ])('stops the worker with IM_LISTEN_FAILED naming %s', async (what, flag, args) => {
    const p = spawnApp({ name: 'worker', entry: APP_ENTRY.worker, args: ['--repository', await demoRepository(), '--model', 'noop', ...args()] });
    expect(await p.exited).toBe(1);
    expect(p.output.join('\n')).toMatch(new RegExp(`^worker: ${inUse(what, flag).source}`, 'm'));
  });
});
