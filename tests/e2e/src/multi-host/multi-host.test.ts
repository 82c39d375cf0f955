import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from '@infermesh/foundation/testing';
import { APP_ENTRY, haproxyConfig, spawnApp, type ManagedProcess } from '@infermesh/launcher';
import { NOOP_MODULE_SOURCE, noopManifest } from '@infermesh/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBed, type HostName } from './test-bed.js';

/**
 * The multi-host bed of docs/deploy.md ("Many coordinators"): five network namespaces on a bridge.
 * A: etcd, Redis, HAProxy. B, C: coordinators. D, E: workers, dialled by the coordinators over mutual
 * TLS at the addresses they registered in etcd. The workers start with nothing loaded (explicit model
 * control); their repository's manifests ask for replicas (`noop`: 2, `solo`: 1), which the placement
 * leader places. Every test counts each request it sends.
 */
const REPLICAS = { noop: 2, solo: 1 } as const;
type Model = keyof typeof REPLICAS;
const LEASE_TTL_S = 2;
const TTL_MS = LEASE_TTL_S * 1000;
let bed: TestBed;
let pki: TestPki;
const apps: Partial<Record<HostName, ManagedProcess>> = {};
let etcd: ReturnType<TestBed['spawn']> | undefined;
let redis: ReturnType<TestBed['spawn']> | undefined;
let frontDoor = '';
let repository = '';
let placedMs = 0;

const failures: Record<string, number> = {};
const url = (host: HostName, port: number, path: string): string => `http://${bed.hosts[host].ip}:${port}${path}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Prints a test's figures, with the answers of its failed requests (status, code, message) when there were any. */
const report = (test: string, figures: Record<string, unknown>): void => {
  const failed = Object.keys(failures).length > 0 ? { failures: { ...failures } } : {};
  for (const key of Object.keys(failures)) delete failures[key];
  process.stdout.write(`multi-host ${test}: ${JSON.stringify({ ...figures, ...failed })}\n`);
};

async function json(target: string, init: RequestInit = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(target, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

const noopBody = (values: number[]) => JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: values }] });
/** One request through `target` whose answer must echo its own distinct values: ok, failed (an error answer) or wrong. */
async function infer(target: string, values: number[], model: Model = 'noop'): Promise<'ok' | 'failed' | 'wrong'> {
  const res = await json(`${target}/v2/models/${model}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: noopBody(values) });
  if (res.status !== 200) {
    const key = `${res.status} ${String(res.body?.code ?? '')} ${String(res.body?.error ?? '').replace(/\d+/g, 'N').slice(0, 80)}`;
    failures[key] = (failures[key] ?? 0) + 1;
    return 'failed';
  }
  const out = res.body?.outputs?.[0]?.data as number[] | undefined;
  return out && out.length === 4 && out.every((v, i) => v === values[i]) ? 'ok' : 'wrong';
}

interface LoadFigures { sent: number; ok: number; failed: number; wrong: number; lost: number; maxLatencyMs: number; codes: Record<string, number> }
/** `clients` loops of distinct requests through the front door for `ms`; `lost` are requests with no answer at all (timeout, reset). */
async function load(clients: number, ms: number, during?: () => Promise<void>, model: Model = 'noop'): Promise<LoadFigures> {
  const f: LoadFigures = { sent: 0, ok: 0, failed: 0, wrong: 0, lost: 0, maxLatencyMs: 0, codes: {} };
  const until = Date.now() + ms;
  let seq = 0;
  const loop = async (client: number) => {
    while (Date.now() < until) {
      const n = seq++;
      f.sent++;
      const t0 = performance.now();
      try {
        const outcome = await infer(frontDoor, [client, n, n % 97, 0.5], model);
        f[outcome]++;
      } catch (error) {
        f.lost++;
        const code = String((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name);
        f.codes[code] = (f.codes[code] ?? 0) + 1;
      }
      f.maxLatencyMs = Math.max(f.maxLatencyMs, Math.round(performance.now() - t0));
    }
  };
  await Promise.all([...Array.from({ length: clients }, (_, i) => loop(i)), during?.()]);
  return f;
}

async function workersOn(host: 'b' | 'c'): Promise<string[]> {
  const res = await json(url(host, 9000, '/v2/status')).catch(() => undefined);
  return ((res?.body?.workers ?? []) as Array<{ workerId: string }>).map((w) => w.workerId).sort();
}
/** The workers serving `model` as coordinator `host` sees them. */
async function servers(host: 'b' | 'c', model: Model): Promise<string[]> {
  const res = await json(url(host, 9000, '/v2/status')).catch(() => undefined);
  return ((res?.body?.workers ?? []) as Array<{ workerId: string; models: string[] }>).filter((w) => w.models.includes(`${model}:1`)).map((w) => w.workerId).sort();
}
/** Both coordinators see every model served by exactly its replica count of workers, and agree on which. */
const placed = async (): Promise<boolean> => {
  for (const model of Object.keys(REPLICAS) as Model[]) {
    const [b, c] = [await servers('b', model), await servers('c', model)];
    if (b.length !== REPLICAS[model] || JSON.stringify(b) !== JSON.stringify(c)) return false;
  }
  return true;
};
const leads = async (host: 'b' | 'c') => (await json(url(host, 9000, '/v2/status')).catch(() => undefined))?.body?.cluster?.leader === true;

/** The bed's repository: noop twice, as `noop` (asks for 2 replicas) and `solo` (asks for 1). */
function writeRepository(dir: string): string {
  for (const model of Object.keys(REPLICAS) as Model[]) {
    mkdirSync(join(dir, model, '1'), { recursive: true });
    // JSON is YAML.
    writeFileSync(join(dir, model, 'manifest.yaml'), JSON.stringify({ ...noopManifest(), name: model, replicas: REPLICAS[model] }));
    writeFileSync(join(dir, model, '1', 'model.mjs'), NOOP_MODULE_SOURCE);
  }
  return dir;
}
/** Polls until `check` holds; the ms it took. */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await check().catch(() => false)) return Math.round(performance.now() - t0);
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

function startEtcd(): ReturnType<TestBed['spawn']> {
  const a = bed.hosts.a.ip;
  return bed.spawn('a', 'etcd', [
    '--name', 'a', '--data-dir', join(bed.dir, 'etcd'), '--log-level', 'error',
    '--listen-client-urls', `http://${a}:2379`, '--advertise-client-urls', `http://${a}:2379`,
    '--listen-peer-urls', `http://${a}:2380`, '--initial-advertise-peer-urls', `http://${a}:2380`, '--initial-cluster', `a=http://${a}:2380`,
  ]);
}
function startRedis(): ReturnType<TestBed['spawn']> {
  return bed.spawn('a', 'redis-server', ['--bind', bed.hosts.a.ip, '--port', '6379', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
}
async function kill(child: { kill(s: NodeJS.Signals): boolean; exitCode: number | null; once(e: 'exit', f: () => void): unknown } | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await exited;
}

async function startCoordinator(host: 'b' | 'c'): Promise<ManagedProcess> {
  const a = bed.hosts.a.ip;
  const own = pki.issue(`coordinator-${host}`);
  const p = spawnApp({
    name: `coordinator-${host}`, entry: APP_ENTRY.coordinator, netns: bed.hosts[host].ns,
    args: [
      '--listen-host', bed.hosts[host].ip, '--listen-port', '9000', '--grpc-port', '0', '--worker-port', '0',
      '--worker-tls-cert', own.certFile, '--worker-tls-key', own.keyFile, '--worker-tls-ca', pki.caFile, '--worker-tls-mutual',
      '--etcd', `http://${a}:2379`, '--lease-ttl-s', String(LEASE_TTL_S),
      '--cache', 'redis', '--cache-redis', `redis://${a}:6379`, '--async-redis', `redis://${a}:6379`,
      '--heartbeat-ms', '500', '--health-interval-ms', '500', '--cluster-id', `coordinator-${host}`,
    ],
    env: { INFERMESH_SECRET: '' },
  });
  apps[host] = p;
  await p.waitFor('coordinator listening', { timeoutMs: 60_000 });
  return p;
}
async function startWorker(host: 'd' | 'e'): Promise<ManagedProcess> {
  const ip = bed.hosts[host].ip;
  const id = `worker-${host}`;
  const own = pki.issue(id, { ips: [ip] });
  const p = spawnApp({
    name: id, entry: APP_ENTRY.worker, netns: bed.hosts[host].ns,
    args: [
      '--id', id, '--repository', repository, '--model-control', 'explicit', '--host', ip, '--port', '9200',
      '--tls-cert', own.certFile, '--tls-key', own.keyFile, '--tls-ca', pki.caFile, '--tls-mutual',
      '--etcd', `http://${bed.hosts.a.ip}:2379`, '--lease-ttl-s', String(LEASE_TTL_S), '--heartbeat-ms', '500',
    ],
    env: { INFERMESH_SECRET: '' },
  });
  apps[host] = p;
  await p.waitFor('registered in etcd', { timeoutMs: 60_000 });
  return p;
}
const bothSee = async (ids: string[]) => JSON.stringify(await workersOn('b')) === JSON.stringify(ids) && JSON.stringify(await workersOn('c')) === JSON.stringify(ids);

beforeAll(async () => {
  bed = TestBed.create();
  pki = makeTestPki('multi-host');
  repository = writeRepository(join(bed.dir, 'models'));
  const a = bed.hosts.a.ip;
  etcd = startEtcd();
  redis = startRedis();
  const cfg = join(bed.dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig({ bind: `${a}:8080`, servers: (['b', 'c'] as const).map((h) => ({ name: h, address: `${bed.hosts[h].ip}:9000` })) }));
  bed.spawn('a', 'haproxy', ['-db', '-f', cfg]);
  frontDoor = `http://${a}:8080`;
  await until(async () => (await fetch(`http://${a}:2379/health`)).ok, 20_000, 'etcd up');
  await Promise.all([startCoordinator('b'), startCoordinator('c'), startWorker('d'), startWorker('e')]);
  await until(() => bothSee(['worker-d', 'worker-e']), 30_000, 'both coordinators see both workers');
  // The workers hold nothing until the placement leader loads each model's replicas.
  placedMs = await until(placed, 20_000, 'replicas placed');
  await until(async () => (await json(`${frontDoor}/v2/health/ready`)).status === 200, 20_000, 'HAProxy up');
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(apps).map((p) => p?.stop('SIGKILL', 2_000)));
  bed?.destroy();
  pki?.remove();
});

describe('many coordinators across hosts', () => {
  it('answers through HAProxy from both coordinators, any model on any coordinator', async () => {
    const served = async (host: 'b' | 'c') => (await json(url(host, 9000, '/v2/models/noop/stats'))).body.model_stats?.[0]?.inference_stats?.success?.count ?? 0;
    const before = { b: await served('b'), c: await served('c') };
    const f = await load(4, 1_500);
    const after = { b: await served('b'), c: await served('c') };
    report('both coordinators', { ...f, viaB: after.b - before.b, viaC: after.c - before.c });
    expect(f.ok).toBe(f.sent);
    expect(after.b - before.b).toBeGreaterThan(0);
    expect(after.c - before.c).toBeGreaterThan(0);
    for (const host of ['b', 'c'] as const) expect(await infer(`http://${bed.hosts[host].ip}:9000`, [host === 'b' ? 1 : 2, 3, 4, 5])).toBe('ok');
  });

  it('places each model\'s replicas from explicit-control workers: the leader loads them, both coordinators see it', async () => {
    const leader: 'b' | 'c' = (await leads('b')) ? 'b' : 'c';
    const status = (await json(url(leader, 9000, '/v2/status'))).body.cluster.placement;
    const counts = Object.fromEntries(await Promise.all((Object.keys(REPLICAS) as Model[]).map(async (m) => [m, (await servers('b', m)).length])));
    const solo = await load(2, 500, undefined, 'solo');
    report('replicas placed', { ...solo, placedAfterWorkersSeenMs: placedMs, leader, replicas: counts, actions: status.actions });
    expect(counts).toEqual(REPLICAS);
    expect(status.leading).toBe(true);
    expect(status.models).toEqual([
      { model: 'noop', desired: 2, actual: 2, servedBy: ['worker-d', 'worker-e'] },
      { model: 'solo', desired: 1, actual: 1, servedBy: await servers(leader, 'solo') },
    ]);
    expect(solo.ok).toBe(solo.sent);
    const other = (await json(url(leader === 'b' ? 'c' : 'b', 9000, '/v2/status'))).body.cluster.placement;
    expect(other.leading).toBe(false);
  });

  it('loses no request when a coordinator is SIGKILLed under 16 clients', async () => {
    let killedAt = 0;
    const f = await load(16, 6_000, async () => {
      await sleep(2_000);
      killedAt = performance.now();
      await apps.b!.stop('SIGKILL');
    });
    // The client-visible failover: the longest any request took (those in flight on B were retried on C).
    report('SIGKILL coordinator B', { ...f, failoverMs: f.maxLatencyMs, loadAfterKillMs: Math.round(performance.now() - killedAt) });
    expect(f.wrong).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.failed).toBe(0);
    expect(f.ok).toBe(f.sent);
    await startCoordinator('b');
    await until(() => bothSee(['worker-d', 'worker-e']), 20_000, 'B back with both workers');
  });

  it('answers on C an async request submitted on B, after B is killed', async () => {
    const values = [7, 8, 9, 10];
    const submitted = await json(url('b', 9000, '/v2/models/noop/infer'), {
      method: 'POST', headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: noopBody(values),
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    await until(async () => (await json(url('c', 9000, `/v2/requests/${id}`))).status === 200, 10_000, 'result visible on C');
    await apps.b!.stop('SIGKILL');
    const fetched = await json(url('c', 9000, `/v2/requests/${id}`));
    report('async across coordinators', { sent: 1, ok: fetched.status === 200 ? 1 : 0, failed: fetched.status === 200 ? 0 : 1, wrong: 0, lost: 0 });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ id, status: 'done' });
    expect(fetched.body.response.outputs[0].data).toEqual(values);
    expect((await json(url('c', 9000, '/v2/requests/no-such-id'))).status).toBe(404);
    await startCoordinator('b');
    await until(() => bothSee(['worker-d', 'worker-e']), 20_000, 'B back with both workers');
  });

  it('drops a worker whose link is cut from every coordinator within the lease TTL, and takes it back when restored', async () => {
    let detectionMs = 0;
    let returnMs = 0;
    const f = await load(4, 1_000, async () => {
      await sleep(300);
      bed.link('d', 'down');
      detectionMs = await until(() => bothSee(['worker-e']), TTL_MS * 3, 'worker-d gone from B and C');
    });
    // Traffic moved: served by worker-e alone meanwhile.
    const during = await load(4, 1_000);
    bed.link('d', 'up');
    returnMs = await until(() => bothSee(['worker-d', 'worker-e']), 20_000, 'worker-d back on B and C');
    report('worker link cut', { sent: f.sent + during.sent, ok: f.ok + during.ok, failed: f.failed + during.failed, wrong: f.wrong + during.wrong, lost: f.lost + during.lost, detectionMs, returnMs, leaseTtlMs: TTL_MS });
    expect(detectionMs).toBeLessThan(TTL_MS + 2_000);
    expect(f.wrong + during.wrong).toBe(0);
    expect(during.ok).toBe(during.sent);
    expect(f.lost).toBe(0);
  });

  it('re-places a model when the link of the worker serving it is cut, and drops the extra copy when the link returns', async () => {
    await until(placed, 10_000, 'replicas placed');
    const [holder] = await servers('b', 'solo');
    const host: 'd' | 'e' = holder === 'worker-d' ? 'd' : 'e';
    const survivor = host === 'd' ? 'worker-e' : 'worker-d';
    let detectionMs = 0;
    let replacedMs = 0;
    const f = await load(4, 1_000, async () => {
      await sleep(300);
      const cutAt = performance.now();
      bed.link(host, 'down');
      detectionMs = await until(() => bothSee([survivor]), TTL_MS * 3, `${holder} gone from B and C`);
      await until(async () => (await servers('b', 'solo')).join() === survivor && (await servers('c', 'solo')).join() === survivor, TTL_MS * 3, `solo re-placed on ${survivor}`);
      replacedMs = Math.round(performance.now() - cutAt);
    }, 'solo');
    // Served by the survivor alone now.
    const during = await load(4, 1_000, undefined, 'solo');
    const upAt = performance.now();
    bed.link(host, 'up');
    await until(() => bothSee(['worker-d', 'worker-e']), 20_000, `${holder} back on B and C`);
    // It came back still holding solo: the leader unloads one of the two copies.
    await until(placed, 10_000, 'one copy of solo again');
    const convergedMs = Math.round(performance.now() - upAt);
    report('replica re-placed after a link cut', {
      sent: f.sent + during.sent, ok: f.ok + during.ok, failed: f.failed + during.failed, wrong: f.wrong + during.wrong, lost: f.lost + during.lost,
      cut: holder, detectionMs, replacedMs, oneCopyAfterLinkUpMs: convergedMs, leaseTtlMs: TTL_MS,
    });
    expect(replacedMs).toBeLessThan(TTL_MS + 3_000);
    expect(f.wrong + during.wrong).toBe(0);
    expect(during.ok).toBe(during.sent);
    expect(f.lost).toBe(0);
  });

  it('elects a new placement leader within the lease TTL when the leader is SIGKILLed, which restores the replica counts', async () => {
    await until(async () => (await leads('b')) !== (await leads('c')), 10_000, 'exactly one leader');
    const leader: 'b' | 'c' = (await leads('b')) ? 'b' : 'c';
    const other = leader === 'b' ? 'c' : 'b';
    await until(placed, 10_000, 'replicas placed');
    const killedAt = performance.now();
    await apps[leader]!.stop('SIGKILL');
    // With no leader, solo loses its replica (unloaded through the other coordinator): the next leader must restore it.
    expect((await json(url(other, 9000, '/v2/repository/models/solo/unload'), { method: 'POST' })).status).toBe(200);
    const takeoverMs = await until(() => leads(other), TTL_MS * 4, `coordinator ${other} leads`);
    await until(async () => (await servers(other, 'solo')).length === REPLICAS.solo, TTL_MS * 4, 'solo placed again');
    const restoredMs = Math.round(performance.now() - killedAt);
    const solo = await load(2, 500, undefined, 'solo');
    report('placement leader SIGKILLed', { ...solo, killed: leader, takeoverMs, restoredMs, leaseTtlMs: TTL_MS });
    expect(takeoverMs).toBeLessThan(TTL_MS + 2_000);
    expect(restoredMs).toBeLessThan(TTL_MS + 4_000);
    expect(solo.ok).toBe(solo.sent);
    await startCoordinator(leader);
    await until(() => bothSee(['worker-d', 'worker-e']), 20_000, `${leader} back with both workers`);
    await until(placed, 10_000, 'replica counts as asked on both coordinators');
    expect(await leads(leader)).toBe(false);
  });

  it('keeps serving with the last membership while etcd is down, reports degraded, and recovers', async () => {
    await kill(etcd);
    const degradedMs = await until(async () => (await json(url('b', 9000, '/v2/health/ready'))).body.degraded?.length > 0
      && (await json(url('c', 9000, '/v2/health/ready'))).body.degraded?.length > 0, 10_000, 'readiness degraded');
    const ready = await json(url('b', 9000, '/v2/health/ready'));
    expect(ready.status).toBe(200);
    expect(ready.body.degraded[0]).toMatch(/etcd unreachable/);
    const f = await load(4, 1_500);
    expect(await workersOn('b')).toEqual(['worker-d', 'worker-e']);
    etcd = startEtcd();
    const recoveredMs = await until(async () => (await json(url('b', 9000, '/v2/health/ready'))).body.degraded === undefined
      && (await json(url('c', 9000, '/v2/health/ready'))).body.degraded === undefined, 15_000, 'readiness recovered');
    const after = await load(4, 1_000);
    await until(() => bothSee(['worker-d', 'worker-e']), 10_000, 'membership intact after etcd returns');
    report('etcd stopped', { sent: f.sent + after.sent, ok: f.ok + after.ok, failed: f.failed + after.failed, wrong: f.wrong + after.wrong, lost: f.lost + after.lost, detectionMs: degradedMs, recoveryMs: recoveredMs });
    expect(f.ok).toBe(f.sent);
    expect(after.ok).toBe(after.sent);
  });

  it('answers every request with Redis stopped: cache misses only', async () => {
    const repeat = [42, 42, 42, 42];
    expect(await infer(frontDoor, repeat)).toBe('ok');
    await kill(redis);
    let sent = 0;
    let ok = 0;
    const cacheHeaders: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      sent++;
      const values = i % 2 === 0 ? repeat : [i, 1, 2, 3];
      const res = await json(`${frontDoor}/v2/models/noop/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: noopBody(values) });
      if (res.status === 200 && JSON.stringify(res.body.outputs[0].data) === JSON.stringify(values)) ok++;
      const h = res.headers.get('x-infermesh-cache') ?? 'none';
      cacheHeaders[h] = (cacheHeaders[h] ?? 0) + 1;
    }
    report('redis stopped', { sent, ok, failed: sent - ok, wrong: 0, lost: 0, cache: cacheHeaders });
    expect(ok).toBe(sent);
    redis = startRedis();
  });
});
