import { APP_ENTRY, spawnApp, type Cluster, type ManagedProcess } from '@infermesh/launcher';
import { afterAll, expect, it } from 'vitest';
import { demoCluster, freePort, http } from '../fixtures.js';
import { recordFigures } from './figures.js';
import { mlpLoad } from './mlp-load.js';

let cluster: Cluster | undefined;
let second: ManagedProcess | undefined;
afterAll(async () => {
  await second?.stop();
  await cluster?.stop();
});

it('a coordinator SIGKILLed and restarted on the same ports serves again once the workers reconnect', async () => {
  const [httpPort, workerPort] = [await freePort(), await freePort()];
  cluster = await demoCluster({ workers: 2, httpPort, workerPort });
  const before = mlpLoad(cluster, { clients: 2, rows: 4, maxPerClient: 20 });
  const first = await before.finished();
  expect(first.ok).toBe(first.sent);

  cluster.coordinator.child.kill('SIGKILL');
  await cluster.coordinator.exited;
  const killedAt = Date.now();
  second = spawnApp({
    name: 'coordinator-2',
    entry: APP_ENTRY.coordinator,
    // The workers hold the cluster's token: the new coordinator takes the same file.
    args: ['--listen-port', String(httpPort), '--worker-port', String(workerPort), '--grpc-port', '0', '--heartbeat-ms', '500', '--secret-file', cluster.tokenFile ?? ''],
  });
  const bothJoined = Promise.all(['worker-1', 'worker-2'].map((id) => second!.waitFor('worker joined', { timeoutMs: 30_000, match: (l) => l.worker === id })));
  await second.waitFor('coordinator listening');
  const listeningMs = Date.now() - killedAt;
  // Requests during the gap are refused with a documented code (no worker yet), never lost.
  let refusedDuringGap = 0;
  for (let i = 0; i < 200; i++) {
    const res = await http(cluster, '/v2/models/mlp/ready');
    if (res.status === 200) break;
    refusedDuringGap++;
    await new Promise((r) => setTimeout(r, 50));
  }
  const servingMs = Date.now() - killedAt;
  await bothJoined;
  const allJoinedMs = Date.now() - killedAt;
  const after = await mlpLoad(cluster, { clients: 4, rows: 4, maxPerClient: 25 }).finished();
  recordFigures('coordinator-restart', { listeningMs, servingMs, allJoinedMs, readinessPolls503: refusedDuringGap, sent: after.sent, ok: after.ok });
  expect(after.wrong).toEqual([]);
  expect(after.lost).toEqual([]);
  expect(after.ok).toBe(after.sent);
  expect(after.sent).toBe(100);
  // The dialers back off from 100 ms doubling to 10 s: a restart within seconds is seen within ~10 s.
  expect(servingMs).toBeLessThan(20_000);
});
