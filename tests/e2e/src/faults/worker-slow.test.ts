import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCluster } from '../fixtures.js';
import { recordFigures } from './figures.js';
import { mlpLoad } from './mlp-load.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await demoCluster({ workers: 2, coordinatorArgs: ['--balancer', 'least-connections'] });
});
afterAll(async () => {
  for (const w of cluster?.workers ?? []) w.child.kill('SIGCONT');
  await cluster?.stop();
});

it('a slow worker (stopped 150 ms of every 200) gets less work and no request fails', async () => {
  const load = mlpLoad(cluster, { clients: 6, rows: 8, maxPerClient: 1_000 });
  const slow = cluster.workers[1]!;
  // 20 bursts, 4 s in all: each far below the heartbeat and health-check timeouts.
  for (let burst = 0; burst < 20; burst++) {
    slow.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 150));
    slow.child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 50));
  }
  const result = await load.stop();
  const fast = result.byWorker['worker-1'] ?? 0;
  const slowServed = result.byWorker['worker-2'] ?? 0;
  recordFigures('worker-slow', { sent: result.sent, ok: result.ok, fastServed: fast, slowServed, refused: result.refused.length, wrong: result.wrong.length, lost: result.lost.length });
  expect(result.wrong).toEqual([]);
  expect(result.lost).toEqual([]);
  expect(result.refused).toEqual([]);
  expect(result.ok).toBe(result.sent);
  expect(slowServed).toBeLessThan(fast);
});
