import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@infermesh/foundation';

const run = promisify(execFile);

/** A free loopback port (bound and released; never Redis's default 6379). */
export { freePort };

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts (again) on the same port and waits for PONG. */
  start(): Promise<void>;
  /** `SHUTDOWN NOSAVE`: the process exits and every connection drops. */
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

/** TLS-only Redis (`--port 0 --tls-port P`), PEM files; clients need no certificate (`--tls-auth-clients no`). */
export interface RedisTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/**
 * A private redis-server for one test file: loopback only, no persistence, daemonized with a pidfile.
 * `tls`: it speaks TLS only (`rediss://`); `password`: `requirepass`.
 */
export async function startRedis(secure: { tls?: RedisTls; password?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kvstore-redis-'));
  const { tls, password } = secure;
  const cli = (...args: string[]) =>
    run('redis-cli', [
      '-p', String(port),
      ...(tls ? ['--tls', '--cacert', tls.caFile] : []),
      ...(password === undefined ? [] : ['--no-auth-warning', '-a', password]),
      ...args,
    ]);
  const serverFlags = [
    ...(tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile,
          '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no']
      : ['--port', String(port)]),
    ...(password === undefined ? [] : ['--requirepass', password]),
  ];
  const ping = async () => {
    try {
      const { stdout } = await cli('ping');
      return stdout.trim() === 'PONG';
    } catch {
      return false;
    }
  };
  const waitFor = async (up: boolean) => {
    for (let i = 0; i < 300 && (await ping()) !== up; i += 1) await new Promise((r) => setTimeout(r, 10));
  };
  const server: RedisServer = {
    port,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    async start() {
      await run('redis-server', [
        '--bind', '127.0.0.1', ...serverFlags, '--save', '', '--appendonly', 'no',
        '--daemonize', 'yes', '--pidfile', join(dir, 'redis.pid'), '--dir', dir,
      ]);
      await waitFor(true);
    },
    async stop() {
      await cli('shutdown', 'nosave').catch(() => undefined);
      await waitFor(false);
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
