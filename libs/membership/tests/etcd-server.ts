import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** A private single-node etcd (Debian's etcd-server) on loopback ports, for one test file. */
export async function startEtcd(): Promise<EtcdServer> {
  const [port, peerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'membership-etcd-'));
  const endpoint = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  const healthy = async (): Promise<boolean> =>
    fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false);
  const server: EtcdServer = {
    endpoint,
    async start() {
      child = spawn('etcd', [
        '--name', 'test', '--data-dir', join(dir, 'data'), '--log-level', 'error',
        '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `test=${peer}`,
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
