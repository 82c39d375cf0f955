import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface EtcdServer {
  readonly endpoint: string;
  /** Starts (again, on the same ports and data) and waits until it answers. */
  start(): Promise<void>;
  /** SIGKILL: every connection drops; its data (and leases) stay for the next start. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/** TLS of the client port, PEM files: `certFile`/`keyFile` served; `clientCaFile` turns on `--client-cert-auth`. */
export interface EtcdTls {
  certFile: string;
  keyFile: string;
  /** The CA the health check trusts. */
  caFile: string;
  /** With it, etcd requires client certificates from this CA; the health check shows `client`. */
  clientCaFile?: string;
  client?: { certFile: string; keyFile: string };
}

/** GET /health over https with the test CA (and a client certificate when etcd asks for one). */
const httpsHealthy = (url: string, tls: EtcdTls): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request(url, {
      ca: readFileSync(tls.caFile),
      ...(tls.client ? { cert: readFileSync(tls.client.certFile), key: readFileSync(tls.client.keyFile) } : {}),
      timeout: 500,
      servername: 'localhost',
    }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false)).on('timeout', () => req.destroy());
    req.end();
  });

/** A private single-node etcd (Debian's etcd-server) on loopback ports, for one test file; `tls`: its client port serves https. */
export async function startEtcd(tls?: EtcdTls): Promise<EtcdServer> {
  const [port, peerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'membership-etcd-'));
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  const healthy = async (): Promise<boolean> =>
    tls
      ? httpsHealthy(`${endpoint}/health`, tls)
      : fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false);
  const tlsFlags = tls
    ? ['--cert-file', tls.certFile, '--key-file', tls.keyFile, ...(tls.clientCaFile ? ['--client-cert-auth', '--trusted-ca-file', tls.clientCaFile] : [])]
    : [];
  const server: EtcdServer = {
    endpoint,
    async start() {
      child = spawn('etcd', [
        '--name', 'test', '--data-dir', join(dir, 'data'), '--log-level', 'error',
        '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `test=${peer}`,
        ...tlsFlags,
      ], { stdio: 'ignore' });
      for (let i = 0; i < 200 && !(await healthy()); i++) await new Promise((r) => setTimeout(r, 50));
      if (!(await healthy())) throw new Error('etcd did not start');
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
