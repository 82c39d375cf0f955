import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCluster, http } from '../fixtures.js';
import { recordFigures } from './figures.js';
import { mlpLoad } from './mlp-load.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await demoCluster({ workers: 2, coordinatorArgs: ['--heartbeat-ms', '200', '--health-interval-ms', '200'] });
});
afterAll(async () => {
  for (const w of cluster?.workers ?? []) w.child.kill('SIGCONT');
  await cluster?.stop();
});

interface Status { workerId: string; balancing: Record<string, { state: string }> }
const stateOf = async (id: string): Promise<string> => {
  const workers: Status[] = (await http(cluster, '/v2/status')).body.workers;
  const w = workers.find((x) => x.workerId === id);
  return w ? (w.balancing['mlp:1']?.state ?? 'unknown') : 'gone';
};

it('a worker that stops answering without closing its socket is detected and its requests go to the other worker', async () => {
  const load = mlpLoad(cluster, { clients: 6, rows: 8, maxPerClient: 2_000 });
  await new Promise((r) => setTimeout(r, 800));
  const victim = cluster.workers[1]!;
  victim.child.kill('SIGSTOP');
  const stoppedAt = Date.now();
  // Health checks (200 ms, two misses) take it out of rotation; the heartbeat then drops the socket.
  await expect.poll(() => stateOf(victim.name), { timeout: 10_000, interval: 25 }).not.toBe('healthy');
  const outOfRotationMs = Date.now() - stoppedAt;
  await expect.poll(() => stateOf(victim.name), { timeout: 15_000, interval: 50 }).toBe('gone');
  const droppedMs = Date.now() - stoppedAt;
  const rejoined = cluster.coordinator.waitFor('worker joined', { timeoutMs: 30_000, match: (l) => l.worker === victim.name });
  victim.child.kill('SIGCONT');
  const contAt = Date.now();
  await rejoined;
  const rejoinMs = Date.now() - contAt;
  await new Promise((r) => setTimeout(r, 1_000));
  const result = await load.stop();
  recordFigures('worker-black-hole', {
    outOfRotationMs, droppedMs, rejoinMs, sent: result.sent, ok: result.ok, refused: result.refused.length, wrong: result.wrong.length, lost: result.lost.length,
  });
  expect(result.wrong).toEqual([]);
  expect(result.lost).toEqual([]);
  expect(result.refused).toEqual([]);
  expect(result.ok).toBe(result.sent);
  // Default transport heartbeat timeout is 5 s: the silent socket is gone within interval + timeout + slack.
  expect(droppedMs).toBeLessThan(12_000);
  expect(Object.keys(result.byWorker).sort()).toEqual(['worker-1', 'worker-2']);
});
