import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoCluster, http } from './fixtures.js';

let cluster: Cluster;
const KEYS = ['limited-client-key-01', 'other-client-key-02'];
beforeAll(async () => {
  // 0.5 a second and a burst of 3: the fourth request within a second is over the limit, and the next token is 2 s away.
  cluster = await demoCluster({ workers: 1, coordinatorArgs: [...KEYS.flatMap((k) => ['--api-key', k]), '--rate-limit', '0.5', '--rate-limit-burst', '3'] });
});
afterAll(async () => {
  await cluster?.stop();
});

const noop = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

it('per-key rate limit: the burst passes, then 429 IM_RATE_LIMITED with Retry-After from the bucket; other keys, health and WebSocket', async () => {
  for (let i = 0; i < 3; i++) expect((await http(cluster, '/v2/models/noop/infer', { json: noop, headers: bearer(KEYS[0]!) })).status).toBe(200);
  const over = await http(cluster, '/v2/models/noop/infer', { json: noop, headers: bearer(KEYS[0]!) });
  expect(over.status).toBe(429);
  expect(over.body).toMatchObject({ code: 'IM_RATE_LIMITED' });
  expect(typeof over.body.error).toBe('string');
  // Under 2 s until the next token (0.5 a second), rounded up to whole seconds.
  expect(['1', '2']).toContain(over.headers.get('retry-after'));
  // Metadata routes count too; health probes never do.
  expect((await http(cluster, '/v2/models/noop', { headers: bearer(KEYS[0]!) })).status).toBe(429);
  expect((await http(cluster, '/v2/health/ready')).status).toBe(200);
  // Another key has its own bucket.
  expect((await http(cluster, '/v2/models/noop/infer', { json: noop, headers: bearer(KEYS[1]!) })).status).toBe(200);

  // Over the WebSocket API each infer frame takes a token of the connection's key.
  const ws = new WebSocket(cluster.wsUrl, { headers: bearer(KEYS[1]!) });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const frames: Array<{ type: string; id: string; code?: string; retryAfterSeconds?: number }> = [];
  ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
  for (const id of ['a', 'b', 'c']) ws.send(JSON.stringify({ type: 'infer', id, model: 'noop', request: noop }));
  await expect.poll(() => frames.length).toBe(3);
  ws.close();
  expect(frames.filter((f) => f.type === 'result')).toHaveLength(2);
  expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'IM_RATE_LIMITED', retryAfterSeconds: expect.any(Number) });

  // The bucket refills: after the Retry-After the limited key is served again.
  await new Promise((r) => setTimeout(r, Number(over.headers.get('retry-after')) * 1000 + 100));
  expect((await http(cluster, '/v2/models/noop/infer', { json: noop, headers: bearer(KEYS[0]!) })).status).toBe(200);
});
