import { randomBytes } from 'node:crypto';
import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoCluster, http, workerChannelHeaders } from '../fixtures.js';
import { mlpInput } from '../references.js';
import { recordFigures } from './figures.js';

let cluster: Cluster;
const BODY_LIMIT = 64 * 1024;
beforeAll(async () => {
  cluster = await demoCluster({ workers: 1, coordinatorArgs: ['--body-limit', String(BODY_LIMIT)] });
});
afterAll(async () => {
  await cluster?.stop();
});

const request = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, 5) }] };

async function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('unexpected-response', reject));
  return ws;
}
const closeCode = (ws: WebSocket): Promise<number> => new Promise((resolve) => ws.once('close', (code) => resolve(code)));

async function stillServes(): Promise<void> {
  const res = await http(cluster, '/v2/models/mlp/infer', { json: request });
  expect(res.status).toBe(200);
  expect(res.body.outputs[0].shape).toEqual([1, 16]);
  expect(cluster.coordinator.child.exitCode).toBeNull();
  expect(cluster.workers[0]!.child.exitCode).toBeNull();
}

// Sent by a process that holds the cluster's token: what a compromised or broken worker can do.
describe('hostile frames on the coordinator worker channel', () => {
  it.each([
    ['random bytes', () => randomBytes(512)],
    ['valid JSON of the wrong shape', () => JSON.stringify({ type: 'result', id: 7, value: { workerId: 1 } })],
    ['a JSON array', () => '[1,2,3]'],
    ['a frame over the payload limit', () => randomBytes(BODY_LIMIT * 2 + 1024)],
  ])('%s: the connection is closed with a protocol close code, the coordinator keeps serving', async (_what, frame) => {
    const ws = await open(`ws://${cluster.workerAddress}`, workerChannelHeaders(cluster));
    const closed = closeCode(ws);
    ws.send(frame());
    expect([1002, 1003, 1007, 1008, 1009]).toContain(await closed);
    await stillServes();
  });

  it('twenty connections sending garbage at once: each is dropped, none joins the pool', async () => {
    const codes = await Promise.all(Array.from({ length: 20 }, async () => {
      const ws = await open(`ws://${cluster.workerAddress}`, workerChannelHeaders(cluster));
      const closed = closeCode(ws);
      for (let i = 0; i < 100 && ws.readyState === ws.OPEN; i++) ws.send(randomBytes(64));
      return closed;
    }));
    expect(codes.every((c) => c >= 1000)).toBe(true);
    const workers = (await http(cluster, '/v2/status')).body.workers;
    expect(workers.map((w: { workerId: string }) => w.workerId)).toEqual(['worker-1']);
    await stillServes();
  });
});

describe('hostile frames on the client WebSocket', () => {
  it('answers garbage, wrong shapes and thousands of frames with error frames, then serves on the same connection', async () => {
    const ws = await open(cluster.wsUrl);
    const frames: Array<{ type: string; id?: string; code?: string }> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    const N = 3_000;
    const started = Date.now();
    for (let i = 0; i < N; i++) {
      switch (i % 5) {
        case 0: ws.send(randomBytes(32)); break;
        case 1: ws.send(randomBytes(32).toString('latin1')); break;
        case 2: ws.send(JSON.stringify({ type: 'infer', id: `w${i}`, model: 42, request: null })); break;
        case 3: ws.send(JSON.stringify([{ type: 'infer' }])); break;
        default: ws.send(JSON.stringify({ type: 'infer', id: `t${i}`, model: 'mlp', request: { ...request, parameters: { timeout_ms: -1 } } }));
      }
    }
    ws.send(JSON.stringify({ type: 'infer', id: 'ok', model: 'mlp', request }));
    await expect.poll(() => frames.length, { timeout: 30_000, interval: 50 }).toBe(N + 1);
    recordFigures('client-ws-garbage', { frames: N, answeredMs: Date.now() - started });
    expect(frames.filter((f) => f.type === 'error' && f.code === 'IM_BAD_REQUEST')).toHaveLength(N);
    expect(frames.find((f) => f.id === 'ok')).toMatchObject({ type: 'result' });
    ws.close();
  });

  it('a frame over the payload limit closes that connection with 1009; others are unaffected', async () => {
    const bystander = await open(cluster.wsUrl);
    const ws = await open(cluster.wsUrl);
    const closed = closeCode(ws);
    ws.send(JSON.stringify({ type: 'infer', id: 'big', model: 'mlp', request: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: new Array(BODY_LIMIT).fill(0.5) }] } }));
    expect(await closed).toBe(1009);
    const answer = new Promise<{ type: string }>((resolve) => bystander.once('message', (raw) => resolve(JSON.parse(String(raw)))));
    bystander.send(JSON.stringify({ type: 'infer', id: 'b', model: 'mlp', request }));
    expect(await answer).toMatchObject({ type: 'result' });
    bystander.close();
    await stillServes();
  });
});
