import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ENTRY, spawnApp, type Cluster, type ManagedProcess } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, demoRepository, http } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'im-e2e-trust-'));
const privateFile = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, 0o600);
  return file;
};
const noop = (i: number) => ({ json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [i, 1, 2, 3] }] } });
const workerIds = async (cluster: Cluster): Promise<string[]> =>
  (await http(cluster, '/v2/status')).body.workers.map((w: { workerId: string }) => w.workerId).sort();

describe('a coordinator without worker credentials', () => {
  it.each([
    ['no secret, no credentials, no flag', ['--worker-port', '0'], /IM_WORKER_CHANNEL_INSECURE: the worker listener \(127\.0\.0\.1\) would accept any process as a worker: give --secret-file FILE/],
    ['--insecure-workers beyond loopback', ['--worker-port', '0', '--worker-host', '0.0.0.0', '--insecure-workers'], /IM_WORKER_CHANNEL_INSECURE: --insecure-workers is refused beyond loopback \(0\.0\.0\.0\)/],
    ['workers to dial and no secret', ['--worker-port', '0', '--insecure-workers', '--worker', '10.255.255.1:9200'], /--insecure-workers is refused beyond loopback \(ws:\/\/10\.255\.255\.1:9200\)/],
  ])('does not start: %s', async (_what, args, message) => {
    const p = spawnApp({ name: 'coordinator', entry: APP_ENTRY.coordinator, args: ['--listen-port', '0', ...args], env: { INFERMESH_SECRET: '' } });
    expect(await p.exited).toBe(2);
    expect(p.output.join('\n')).toMatch(message);
    expect(p.output.join('\n')).not.toMatch(/listening/);
  });

  it('starts with --insecure-workers on loopback, and says so in its log', async () => {
    const p = spawnApp({ name: 'coordinator', entry: APP_ENTRY.coordinator, args: ['--listen-port', '0', '--worker-port', '0', '--insecure-workers'] });
    try {
      const line = await p.waitFor('worker channel without credentials (--insecure-workers): any local process can join as a worker');
      expect(line.code).toBe('IM_WORKER_CHANNEL_INSECURE');
      await p.waitFor('coordinator listening');
    } finally {
      await p.stop();
    }
  });
});

describe('the default cluster (a token per cluster, as npm start runs it)', () => {
  let cluster: Cluster;
  let impostor: ManagedProcess | undefined;
  beforeAll(async () => {
    cluster = await demoCluster({ workers: 1 });
  });
  afterAll(async () => {
    await impostor?.stop();
    await cluster?.stop();
  });

  it('writes the token 0600 and hands it over as a file: it is on no command line', async () => {
    const { statSync, readFileSync } = await import('node:fs');
    expect(statSync(cluster.tokenFile!).mode & 0o777).toBe(0o600);
    const token = readFileSync(cluster.tokenFile!, 'utf8').trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const p of [cluster.coordinator, ...cluster.workers]) {
      const cmdline = readFileSync(`/proc/${p.child.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain(cluster.tokenFile!);
      expect(cmdline).not.toContain(token);
      expect(readFileSync(`/proc/${p.child.pid}/environ`, 'utf8')).not.toContain(token);
    }
  });

  it('an impostor worker without the token never joins: clients get the real model\'s answers', async () => {
    impostor = spawnApp({
      name: 'impostor',
      entry: APP_ENTRY.worker,
      args: ['--id', 'impostor', '--repository', await demoRepository(), '--model', 'noop', '--coordinator', cluster.workerAddress],
    });
    const lost = await impostor.waitFor('coordinator connection lost', { timeoutMs: 30_000 });
    expect(lost.code).toBe(1008);
    expect(await workerIds(cluster)).toEqual(['worker-1']);
    for (let i = 0; i < 10; i++) {
      const res = await http(cluster, '/v2/models/noop/infer', noop(i));
      expect(res.status).toBe(200);
      expect(res.body.parameters.infermesh_worker).toBe('worker-1');
    }
  });
});

describe('per-worker credentials (--worker-credentials)', () => {
  let cluster: Cluster;
  const others: ManagedProcess[] = [];
  const tokens = { 'worker-1': 'token-of-worker-1-aaaaaaaa', 'worker-2': 'token-of-worker-2-bbbbbbbb' };
  const tokenFile = (id: keyof typeof tokens): string => privateFile(`${id}.token`, tokens[id]);
  const credentials = (entries: Partial<typeof tokens>): string =>
    privateFile('credentials.yaml', Object.entries(entries).map(([id, t]) => `${id}: ${t}`).join('\n'));
  let credentialsFile: string;

  beforeAll(async () => {
    credentialsFile = credentials(tokens);
    cluster = await demoCluster({ workers: 0, workerAuth: 'custom', coordinatorArgs: ['--worker-credentials', credentialsFile] });
    await cluster.addWorker(['--model', 'noop', '--secret-file', tokenFile('worker-1')]);
    await cluster.addWorker(['--model', 'noop', '--secret-file', tokenFile('worker-2')]);
  });
  afterAll(async () => {
    await Promise.allSettled(others.map((p) => p.stop()));
    await cluster?.stop();
  });

  const start = async (name: string, id: string, token: keyof typeof tokens): Promise<ManagedProcess> => {
    const p = spawnApp({
      name, entry: APP_ENTRY.worker,
      args: ['--id', id, '--repository', await demoRepository(), '--model', 'noop', '--coordinator', cluster.workerAddress, '--secret-file', tokenFile(token)],
    });
    others.push(p);
    return p;
  };

  it('each worker joins under the id its token names; a second one with a live id, or another id, is refused with a code', async () => {
    expect(await workerIds(cluster)).toEqual(['worker-1', 'worker-2']);
    const inUse = cluster.coordinator.waitFor('worker refused', { timeoutMs: 30_000, match: (l) => l.code === 'IM_WORKER_ID_IN_USE' });
    const twin = await start('twin', 'worker-1', 'worker-1');
    await inUse;
    const lost = await twin.waitFor('coordinator connection lost', { timeoutMs: 30_000 });
    expect([lost.code, lost.reason]).toEqual([4403, 'IM_WORKER_ID_IN_USE']);

    const mismatch = cluster.coordinator.waitFor('worker refused', { timeoutMs: 30_000, match: (l) => l.code === 'IM_WORKER_ID_MISMATCH' });
    await start('liar', 'worker-3', 'worker-2');
    expect((await mismatch).identity).toBe('worker-2');
    expect(await workerIds(cluster)).toEqual(['worker-1', 'worker-2']);
  });

  it('removing a worker from the file revokes it without a restart: its channel closes, the others serve on', async () => {
    const revoked = cluster.coordinator.waitFor('worker credential revoked: disconnecting it', { timeoutMs: 10_000 });
    credentialsFile = credentials({ 'worker-1': tokens['worker-1'] });
    expect((await revoked).worker).toBe('worker-2');
    await expect.poll(() => workerIds(cluster), { timeout: 10_000 }).toEqual(['worker-1']);
    // Closed with the code, then its reconnect is refused at the handshake (401): a revoked token stays out.
    const revokedWorker = cluster.workers[1]!;
    const lostLines = () => revokedWorker.output.filter((l) => l.includes('coordinator connection lost')).map((l) => JSON.parse(l) as { code: number; reason: string });
    await expect.poll(() => lostLines().map((l) => l.code), { timeout: 10_000 }).toEqual([4403, 1008]);
    expect(lostLines()[0]!.reason).toBe('IM_WORKER_REVOKED');
    for (let i = 0; i < 10; i++) {
      const res = await http(cluster, '/v2/models/noop/infer', noop(i));
      expect(res.status).toBe(200);
      expect(res.body.parameters.infermesh_worker).toBe('worker-1');
    }
  });

  it('the file is re-read on change and on SIGHUP: a worker given back its token joins again', async () => {
    const reloads = () => cluster.coordinator.output.filter((l) => l.includes('worker credentials reloaded')).length;
    const before = reloads();
    credentials(tokens);
    await expect.poll(reloads, { timeout: 10_000 }).toBe(before + 1);
    cluster.coordinator.child.kill('SIGHUP');
    await expect.poll(reloads, { timeout: 10_000 }).toBe(before + 2);
    const back = cluster.coordinator.waitFor('worker joined', { timeoutMs: 30_000, match: (l) => l.worker === 'worker-2' });
    await start('worker-2-again', 'worker-2', 'worker-2');
    await back;
    expect(await workerIds(cluster)).toEqual(['worker-1', 'worker-2']);
  });
});
