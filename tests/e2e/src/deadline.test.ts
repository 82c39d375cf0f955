import { Agent, request } from 'node:http';
import { startCluster, type Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { http } from './fixtures.js';
import { sleepyRepository } from './sleepy-repository.js';

let cluster: Cluster;
const LIMIT_MS = 1_500;
const SLEEP_MS = 4_000;
beforeAll(async () => {
  cluster = await startCluster({
    repository: await sleepyRepository(SLEEP_MS),
    workers: 2,
    coordinatorArgs: ['--heartbeat-ms', '500', '--request-timeout-ms', String(LIMIT_MS)],
  });
});
afterAll(async () => {
  await cluster?.stop();
});

const sleepy = (parameters?: Record<string, unknown>) => ({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }], ...(parameters ? { parameters } : {}) });

async function timed(path: string, json: unknown, headers: Record<string, string> = {}) {
  const started = Date.now();
  const res = await http(cluster, path, { json, headers });
  return { ...res, ms: Date.now() - started };
}

describe('a deadline set by the client', () => {
  it('x-request-timeout-ms ends a request that takes longer with 504 IM_TIMEOUT, well before the model answers', async () => {
    const res = await timed('/v2/models/sleepy/infer', sleepy(), { 'x-request-timeout-ms': '200' });
    expect(res).toMatchObject({ status: 504, body: { code: 'IM_TIMEOUT' } });
    expect(res.ms).toBeLessThan(LIMIT_MS);
  });

  it('the timeout_ms parameter does the same', async () => {
    const res = await timed('/v2/models/sleepy/infer', sleepy({ timeout_ms: 200 }));
    expect(res).toMatchObject({ status: 504, body: { code: 'IM_TIMEOUT' } });
    expect(res.ms).toBeLessThan(LIMIT_MS);
  });

  it('is capped by limits.requestTimeoutMs', async () => {
    const res = await timed('/v2/models/sleepy/infer', sleepy(), { 'x-request-timeout-ms': '600000' });
    expect(res).toMatchObject({ status: 504, body: { code: 'IM_TIMEOUT' } });
    expect(res.ms).toBeGreaterThanOrEqual(LIMIT_MS - 50);
    expect(res.ms).toBeLessThan(SLEEP_MS);
  });

  it('leaves a request that fits in its deadline alone', async () => {
    const res = await timed('/v2/models/noop/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }, { 'x-request-timeout-ms': '1000' });
    expect(res.status).toBe(200);
    expect(res.body.outputs[0].data).toEqual([1, 2, 3, 4]);
  });

  it.each([['0'], ['-1'], ['1.5'], ['soon']])('a bad header %j is 400 IM_BAD_REQUEST', async (value) => {
    const res = await timed('/v2/models/noop/infer', { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] }, { 'x-request-timeout-ms': value });
    expect(res).toMatchObject({ status: 400, body: { code: 'IM_BAD_REQUEST' } });
  });

  it('a bad timeout_ms parameter is 400 IM_BAD_REQUEST', async () => {
    const res = await timed('/v2/models/sleepy/infer', sleepy({ timeout_ms: 'later' }));
    expect(res).toMatchObject({ status: 400, body: { code: 'IM_BAD_REQUEST' } });
    expect(res.ms).toBeLessThan(LIMIT_MS);
  });

  it('over the WebSocket API, the timeout_ms parameter', async () => {
    const ws = new WebSocket(cluster.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const frames: Array<{ id: string; type: string; code?: string }> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    const started = Date.now();
    ws.send(JSON.stringify({ type: 'infer', id: 'short', model: 'sleepy', request: sleepy({ timeout_ms: 200 }) }));
    ws.send(JSON.stringify({ type: 'infer', id: 'bad', model: 'sleepy', request: sleepy({ timeout_ms: 0 }) }));
    await expect.poll(() => frames.length, { timeout: 10_000 }).toBe(2);
    expect(Date.now() - started).toBeLessThan(LIMIT_MS);
    expect(frames.find((f) => f.id === 'short')).toMatchObject({ type: 'error', code: 'IM_TIMEOUT' });
    expect(frames.find((f) => f.id === 'bad')).toMatchObject({ type: 'error', code: 'IM_BAD_REQUEST' });
    ws.close();
  });
});

describe('a client that goes away', () => {
  const inFlight = async (): Promise<number> => (await http(cluster, '/v2/status')).body.inFlight as number;
  /** One POST on `agent`'s connection; resolves with the status, or rejects when the socket is destroyed. */
  const post = (agent: Agent, path: string, json: unknown, onSocket?: (destroy: () => void) => void): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(`${cluster.url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.on('socket', () => onSocket?.(() => req.destroy()));
      req.end(JSON.stringify(json));
    });
  const noop = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };

  it('closing its kept-alive connection ends its request at once, before its deadline; answered requests on the connection were not affected', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    // Several answers on one connection first: the connection's cancel signal outlives each of them.
    for (let i = 0; i < 3; i++) expect(await post(agent, '/v2/models/noop/infer', noop)).toBe(200);
    let destroy!: () => void;
    const pending = post(agent, '/v2/models/sleepy/infer', sleepy(), (d) => (destroy = d)).then(() => 'answered', () => 'closed');
    await expect.poll(inFlight, { timeout: 2_000 }).toBe(1);
    const closedAt = Date.now();
    destroy();
    expect(await pending).toBe('closed');
    // Well before the request's own deadline (LIMIT_MS after it came in) would end it.
    await expect.poll(inFlight, { timeout: LIMIT_MS, interval: 25 }).toBe(0);
    expect(Date.now() - closedAt).toBeLessThan(LIMIT_MS / 2);
    agent.destroy();
  });
});
