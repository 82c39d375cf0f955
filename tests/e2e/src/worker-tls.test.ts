import { makeTestPki, type TestPki } from '@infermesh/foundation/testing';
import { APP_ENTRY, spawnApp, type Cluster, type ManagedProcess } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, demoRepository, http } from './fixtures.js';

// Certificates are made here, by the real openssl, for this run only.
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki('e2e-worker-tls');
});
afterAll(() => pki?.remove());

const noop = (i: number) => ({ json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [i, 1, 2, 3] }] } });
const tlsFlags = (prefix: '--worker-tls' | '--tls', name: string, mutual: boolean): string[] => {
  const own = pki.issue(name, { ips: ['127.0.0.1'] });
  return [`${prefix}-cert`, own.certFile, `${prefix}-key`, own.keyFile, `${prefix}-ca`, pki.caFile, ...(mutual ? [`${prefix}-mutual`] : [])];
};
const started: ManagedProcess[] = [];
afterAll(async () => {
  await Promise.allSettled(started.map((p) => p.stop()));
});
const worker = async (name: string, args: string[]): Promise<ManagedProcess> => {
  const p = spawnApp({ name, entry: APP_ENTRY.worker, args: ['--id', name, '--repository', await demoRepository(), '--model', 'noop', ...args], env: { INFERMESH_SECRET: '' } });
  started.push(p);
  return p;
};

describe('mutual TLS on the coordinator\'s worker listener, beyond loopback, without a secret', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // 0.0.0.0 would be refused without credentials: the client certificates are the credentials.
    cluster = await demoCluster({ workers: 0, workerAuth: 'custom', coordinatorArgs: ['--worker-host', '0.0.0.0', ...tlsFlags('--worker-tls', 'coordinator', true)] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('takes a worker whose certificate names it, over wss, and serves through it', async () => {
    const w = await worker('worker-a', ['--coordinator', cluster.workerAddress, ...tlsFlags('--tls', 'worker-a', false)]);
    await cluster.coordinator.waitFor('worker joined', { match: (l) => l.worker === 'worker-a' });
    const res = await http(cluster, '/v2/models/noop/infer', noop(1));
    expect(res.status).toBe(200);
    expect(res.body.parameters.infermesh_worker).toBe('worker-a');
    expect(w.output.join('\n')).toMatch(/registered with coordinator/);
  });

  it('refuses a worker without a client certificate, and one whose certificate names another worker', async () => {
    const bare = await worker('worker-bare', ['--coordinator', cluster.workerAddress, '--tls-ca', pki.caFile]);
    const thief = await worker('worker-thief', ['--coordinator', cluster.workerAddress, ...tlsFlags('--tls', 'worker-z', false)]);
    const refused = await cluster.coordinator.waitFor('worker refused', { timeoutMs: 30_000 });
    expect(refused.code).toBe('IM_WORKER_ID_MISMATCH');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bare.output.join('\n')).not.toMatch(/registered with coordinator/);
    const ids = (await http(cluster, '/v2/status')).body.workers.map((w: { workerId: string }) => w.workerId);
    expect(ids).toEqual(['worker-a']);
    await Promise.all([bare.stop(), thief.stop()]);
  });
});

describe('a worker\'s own listener', () => {
  it.each([
    ['no secret and no mutual TLS', ['--port', '0'], /IM_WORKER_CHANNEL_INSECURE: the worker listener \(127\.0\.0\.1\) would run any dialer's requests/],
    ['--insecure-coordinators beyond loopback', ['--port', '0', '--host', '0.0.0.0', '--insecure-coordinators'], /IM_WORKER_CHANNEL_INSECURE: --insecure-coordinators is refused beyond loopback \(0\.0\.0\.0\)/],
  ])('does not start: %s', async (_what, args, message) => {
    const p = await worker('refused', args);
    expect(await p.exited).toBe(2);
    expect(p.output.join('\n')).toMatch(message);
  });

  it('serves a coordinator that dials it over mutual TLS, and no one else', async () => {
    const w = await worker('listener-1', ['--port', '0', '--host', '0.0.0.0', ...tlsFlags('--tls', 'listener-1', true)]);
    const { port } = await w.waitFor('worker listening');
    const cluster = await demoCluster({ workers: 0, workerAuth: 'insecure', coordinatorArgs: ['--worker', `127.0.0.1:${port}`, ...tlsFlags('--worker-tls', 'coordinator', false)] });
    // A coordinator that trusts the worker but whose client certificate comes from another CA.
    const other = makeTestPki('e2e-worker-tls-other');
    const foreign = other.issue('coordinator');
    const stranger = await demoCluster({
      workers: 0, workerAuth: 'insecure',
      coordinatorArgs: ['--worker', `wss://127.0.0.1:${port}`, '--worker-tls-ca', pki.caFile, '--worker-tls-cert', foreign.certFile, '--worker-tls-key', foreign.keyFile],
    });
    try {
      await expect.poll(async () => (await http(cluster, '/v2/models/noop/ready')).status, { timeout: 20_000 }).toBe(200);
      expect((await http(cluster, '/v2/models/noop/infer', noop(2))).body.parameters.infermesh_worker).toBe('listener-1');
      // Refused in the TLS handshake: the stranger never gets the model.
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await http(stranger, '/v2/models/noop/ready')).status).not.toBe(200);
      expect((await http(stranger, '/v2/status')).body.workers).toEqual([]);
    } finally {
      await Promise.all([cluster.stop(), stranger.stop()]);
      other.remove();
    }
  });
});
