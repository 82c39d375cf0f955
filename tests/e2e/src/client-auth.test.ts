import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoCluster, http } from './fixtures.js';
import { InferenceClient, grpc } from './grpc-client.js';

let cluster: Cluster;
const KEYS = ['first-client-key-01', 'second-client-key-02'];
beforeAll(async () => {
  cluster = await demoCluster({ workers: 1, coordinatorArgs: KEYS.flatMap((k) => ['--api-key', k]) });
});
afterAll(async () => {
  await cluster?.stop();
});

const noop = { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('client API keys', () => {
  it('leave the health probes open', async () => {
    expect((await http(cluster, '/v2/health/live')).status).toBe(200);
    expect((await http(cluster, '/v2/health/ready')).status).toBe(200);
  });

  it.each([
    ['no key', {}],
    ['a wrong key', bearer('not-a-client-key')],
    ['a key one character short', bearer(KEYS[0]!.slice(0, -1))],
    ['another scheme', { authorization: `Basic ${KEYS[0]}` }],
  ])('refuse %s on every other /v2 route with 401 IM_UNAUTHORIZED', async (_what, headers) => {
    for (const [path, init] of [
      ['/v2/models/noop/infer', { json: noop }],
      ['/v2', {}],
      ['/v2/status', {}],
      ['/v2/models/noop', {}],
      ['/v2/models/noop/ready', {}],
      ['/v2/models/noop/config', {}],
      ['/v2/models/stats', {}],
      ['/v2/repository/index', { method: 'POST' }],
      ['/v2/repository/models/noop/load', { method: 'POST' }],
      ['/v2/repository/models/noop/unload', { method: 'POST' }],
    ] as const) {
      const res = await http(cluster, path, { ...init, headers });
      expect(res, path).toMatchObject({ status: 401, body: { code: 'IM_UNAUTHORIZED', error: expect.any(String) } });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('let any configured key through', async () => {
    for (const key of KEYS) {
      const res = await http(cluster, '/v2/models/noop/infer', { json: noop, headers: bearer(key) });
      expect(res.status).toBe(200);
      expect(res.body.outputs[0].data).toEqual([1, 2, 3, 4]);
    }
  });

  it('guard the WebSocket upgrade: 401 without a key, served with one', async () => {
    const refused = new WebSocket(cluster.wsUrl);
    const status = await new Promise<number>((resolve, reject) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.once('open', () => reject(new Error('upgraded without a key')));
      refused.on('error', () => undefined);
    });
    expect(status).toBe(401);

    const ws = new WebSocket(cluster.wsUrl, { headers: bearer(KEYS[1]!) });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const answer = new Promise<{ type: string }>((resolve) => ws.once('message', (raw) => resolve(JSON.parse(String(raw)))));
    ws.send(JSON.stringify({ type: 'infer', id: 'a', model: 'noop', request: noop }));
    expect(await answer).toMatchObject({ type: 'result', id: 'a' });
    ws.close();
  });

  it('apply to gRPC the same: health RPCs open, every other call UNAUTHENTICATED with IM_UNAUTHORIZED without a key', async () => {
    const client = new InferenceClient(cluster.grpcAddress);
    try {
      expect(await client.call('ServerLive', {})).toEqual({ live: true });
      expect(await client.call('ServerReady', {})).toEqual({ ready: true });
      const infer = { model_name: 'noop', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } }] };
      const calls = [['ServerMetadata', {}], ['ModelReady', { name: 'noop' }], ['ModelMetadata', { name: 'noop' }], ['ModelInfer', infer]] as const;
      for (const [method, request] of calls) {
        for (const key of [undefined, 'not-a-client-key']) {
          const e = await client.failure(method, request, key ? { key } : {});
          expect({ code: e.code, imCode: e.metadata.get('im-code')[0] }, `${method} with ${key ?? 'no key'}`).toEqual({ code: grpc.status.UNAUTHENTICATED, imCode: 'IM_UNAUTHORIZED' });
        }
      }
      for (const key of KEYS) {
        const answer = await client.call('ModelInfer', infer, { key });
        expect(answer.outputs[0].contents.fp32_contents).toEqual([1, 2, 3, 4]);
        expect(await client.call('ModelReady', { name: 'noop' }, { key })).toEqual({ ready: true });
      }
    } finally {
      client.close();
    }
  });
});
