import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerProtocol, type WorkerProtocol } from '@infermesh/contracts';
import { ManualClock } from '@infermesh/foundation';
import { BatchTelemetry, ModelHost, WorkerService } from '@infermesh/host';
import { JsRuntime } from '@infermesh/runtime';
import { createWorkerMetrics, Tracer } from '@infermesh/telemetry';
import { connectPort, LocalChannel, type Peer } from '@infermesh/transport';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaReconciler } from './replica-reconciler.js';
import { testServingCore } from './test-serving-core.js';

/** An echo model that takes 50 ms a batch, so requests are in flight while placement acts. */
const SLOW_ECHO = 'export async function run(inputs) { await new Promise((r) => setTimeout(r, 50)); return { output: inputs.input }; }\n';
const manifest = (name: string, replicas?: number) => JSON.stringify({
  name, platform: 'js', file: 'model.mjs', inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1] }],
  outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 1] }], batching: { maxDelayMs: 0 }, ...(replicas ? { replicas } : {}),
});

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'im-replicas-'));
  for (const [name, replicas] of [['echo', 1], ['pair', 2], ['free', undefined], ['broken', 1]] as const) {
    mkdirSync(join(root, name, '1'), { recursive: true });
    writeFileSync(join(root, name, 'manifest.yaml'), manifest(name, replicas));
    writeFileSync(join(root, name, '1', 'model.mjs'), name === 'broken' ? 'export const nothing = 1;\n' : SLOW_ECHO);
  }
  return () => rmSync(root, { recursive: true, force: true });
});

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((c) => c()));
});

/**
 * A coordinator's pool, lanes and repository control, and real workers (the host library's WorkerService
 * over a local channel) that start with nothing loaded and hold `models` of the repository.
 */
async function setup(workerModels: Record<string, string[]>) {
  const { pool, lanes, service, repository: control } = await testServingCore();
  closers.push(async () => lanes.close());
  const clock = new ManualClock();
  const actions: string[] = [];
  const reconciler = new ReplicaReconciler(pool, control, {
    intervalMs: 1_000, retryAfterMs: 10_000, clock, onAction: (a, result) => actions.push(`${a.type} ${a.model} ${a.workerId} ${result}`),
  });
  closers.push(async () => reconciler.stop());
  const peers = new Map<string, Peer<WorkerProtocol>>();
  for (const [id, models] of Object.entries(workerModels)) {
    const host = await ModelHost.load([], { js: new JsRuntime() });
    const worker = await WorkerService.create(host, new BatchTelemetry(new Tracer(), createWorkerMetrics()), {
      id, role: 'model', maxConcurrency: 2, shards: [], repository: { folder: root, models }, memoryBytes: 1 << 20,
    });
    const channel = new LocalChannel();
    connectPort(channel.port2, { protocol: workerProtocol, handlers: worker.handlers, id });
    const peer = connectPort(channel.port1, { protocol: workerProtocol, handlers: {}, id });
    closers.push(async () => {
      await peer.close().catch(() => undefined);
      await host.close();
    });
    await pool.join(peer);
    peers.set(id, peer);
  }
  const servers = (model: string) => pool.workers.filter((w) => w.info.models.some((s) => s.name === model)).map((w) => w.info.workerId).sort();
  const infer = (model: string, value: number) => service.infer(model, undefined, { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 1], data: [value] }] }, { deadline: performance.now() + 5_000 });
  return { pool, control, reconciler, clock, actions, peers, servers, infer };
}

describe('ReplicaReconciler', () => {
  it('does nothing until it leads; then places each ask, and leaves models without one alone', async () => {
    const t = await setup({ w1: ['echo', 'pair', 'free'], w2: ['echo', 'pair', 'free'] });
    t.clock.advance(5_000);
    await t.reconciler.settled();
    expect(t.actions).toEqual([]);
    t.reconciler.start();
    await t.reconciler.settled();
    expect(t.servers('echo')).toEqual(['w1']);
    expect(t.servers('pair')).toEqual(['w1', 'w2']);
    expect(t.servers('free')).toEqual([]);
    expect(t.actions.every((a) => a.endsWith(' ok'))).toBe(true);
    expect(t.reconciler.status).toMatchObject({ leading: true, actions: { ok: 3, failed: 0 } });
    const answer = await t.infer('echo', 7);
    expect(answer.outputs[0]?.data).toEqual([7]);
  });

  it('re-places the copy of a worker that leaves on another that holds the model', async () => {
    const t = await setup({ w1: ['echo'], w2: ['echo'] });
    t.reconciler.start();
    await t.reconciler.settled();
    expect(t.servers('echo')).toEqual(['w1']);
    await t.peers.get('w1')!.close();
    await t.reconciler.settled();
    expect(t.servers('echo')).toEqual(['w2']);
    expect((await t.infer('echo', 3)).outputs[0]?.data).toEqual([3]);
  });

  it('unloads an extra copy from one worker while requests run: each is answered, none refused', async () => {
    const t = await setup({ w1: ['echo'], w2: ['echo'] });
    const [w1, w2] = t.pool.workers;
    await t.control.loadOn(w1!, 'echo');
    await t.control.loadOn(w2!, 'echo');
    const inFlight = Array.from({ length: 12 }, (_, i) => t.infer('echo', i));
    t.reconciler.start();
    const answers = await Promise.all(inFlight);
    await t.reconciler.settled();
    expect(answers.map((a) => a.outputs[0]?.data[0])).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(t.servers('echo')).toHaveLength(1);
    expect(t.actions).toHaveLength(1);
    expect(t.actions[0]).toMatch(/^unload echo w[12] ok$/);
    // The model stays registered and served by the other worker.
    expect((await t.infer('echo', 9)).outputs[0]?.data).toEqual([9]);
  });

  it('avoids a worker whose load failed until retryAfterMs passes, and reports the shortfall', async () => {
    const t = await setup({ w1: ['broken'] });
    t.reconciler.start();
    await t.reconciler.settled();
    expect(t.actions).toEqual(['load broken w1 failed']);
    t.clock.advance(1_000);
    await t.reconciler.settled();
    expect(t.actions).toHaveLength(1);
    expect(t.reconciler.status.models).toEqual([{ model: 'broken', desired: 1, actual: 0, servedBy: [], shortfall: expect.stringMatching(/failed to load it recently/) }]);
    t.clock.advance(10_000);
    await t.reconciler.settled();
    expect(t.actions).toEqual(['load broken w1 failed', 'load broken w1 failed']);
  });

  it('waits for its pool to fill, at most settleMs after it starts leading', async () => {
    const t = await setup({ w1: ['echo'] });
    const reconciler = new ReplicaReconciler(t.pool, t.control, { intervalMs: 1_000, retryAfterMs: 0, clock: t.clock, ready: () => false, settleMs: 3_000 });
    closers.push(async () => reconciler.stop());
    reconciler.start();
    await reconciler.settled();
    expect(t.servers('echo')).toEqual([]);
    t.clock.advance(3_000);
    await reconciler.settled();
    expect(t.servers('echo')).toEqual(['w1']);
  });

  it('stops acting when it stops leading', async () => {
    const t = await setup({ w1: ['echo'], w2: ['echo'] });
    t.reconciler.start();
    await t.reconciler.settled();
    t.reconciler.stop();
    await t.peers.get('w1')!.close();
    t.clock.advance(5_000);
    await t.reconciler.settled();
    expect(t.servers('echo')).toEqual([]);
    expect(t.reconciler.status.leading).toBe(false);
  });
});
