import { spawnApp, APP_ENTRY, type Cluster, type ManagedProcess } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { demoCluster, demoRepository, http, workerChannelHeaders } from './fixtures.js';
import { mlpInput } from './references.js';

let cluster: Cluster;
const BODY_LIMIT = 64 * 1024;

beforeAll(async () => {
  cluster = await demoCluster({ workers: 1, coordinatorArgs: ['--body-limit', String(BODY_LIMIT)] });
});
afterAll(async () => {
  await cluster?.stop();
});

const mlp = (over: Record<string, unknown> = {}) => ({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, 3), ...over }] });

async function stillServes(): Promise<void> {
  const res = await http(cluster, '/v2/models/mlp/infer', { json: mlp() });
  expect(res.status).toBe(200);
  expect(res.body.outputs[0].shape).toEqual([1, 16]);
}

describe('bad input over HTTP gets a documented 4xx and the processes keep serving', () => {
  it.each([
    ['an unknown model', '/v2/models/nope/infer', mlp(), 404, 'IM_MODEL_NOT_FOUND'],
    ['an unknown version', '/v2/models/mlp/versions/9/infer', mlp(), 404, 'IM_VERSION_NOT_FOUND'],
    ['a version that is not a number', '/v2/models/mlp/versions/x/infer', mlp(), 400, 'IM_BAD_REQUEST'],
    ['a wrong shape', '/v2/models/mlp/infer', mlp({ shape: [1, 63], data: mlpInput(1, 1).slice(0, 63) }), 400, 'IM_INVALID_INPUT'],
    ['a wrong datatype', '/v2/models/mlp/infer', mlp({ datatype: 'INT32', data: new Array(64).fill(1) }), 400, 'IM_INVALID_INPUT'],
    ['data that does not fill the shape', '/v2/models/mlp/infer', mlp({ data: [1, 2, 3] }), 400, 'IM_INVALID_INPUT'],
    ['a wrong input name', '/v2/models/mlp/infer', mlp({ name: 'x' }), 400, 'IM_INVALID_INPUT'],
    ['too many rows', '/v2/models/mlp/infer', mlp({ shape: [300, 64], data: new Array(300 * 64).fill(0) }), 400, 'IM_INVALID_INPUT'],
    ['a body that is not an inference request', '/v2/models/mlp/infer', { inputs: 'yes' }, 400, 'IM_BAD_REQUEST'],
    ['a BYTES input of numbers', '/v2/models/sentiment/infer', { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: [5] }] }, 400, 'IM_INVALID_INPUT'],
  ])('%s', async (_what, path, json, status, code) => {
    const res = await http(cluster, path, { json });
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ code, error: expect.any(String) });
    expect(res.body.error).not.toMatch(/\bat .*\.ts:\d+/); // never a stack trace
  });

  it('malformed JSON', async () => {
    const res = await http(cluster, '/v2/models/mlp/infer', { method: 'POST', body: '{"inputs": [', headers: { 'content-type': 'application/json' } });
    expect(res).toMatchObject({ status: 400, body: { code: 'IM_BAD_REQUEST' } });
  });

  it('a body over the size limit', async () => {
    const res = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: new Array(BODY_LIMIT).fill(0.5) }] } });
    expect(res).toMatchObject({ status: 413, body: { code: 'IM_PAYLOAD_TOO_LARGE' } });
  });

  it('a body that is not JSON, whatever its content type, is a 400 with the protocol\'s error body', async () => {
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/octet-stream' }, {}] as Record<string, string>[]) {
      const res = await http(cluster, '/v2/models/mlp/infer', { method: 'POST', body: new TextEncoder().encode('hello'), headers });
      expect(res).toMatchObject({ status: 400, body: { code: 'IM_BAD_REQUEST', error: expect.stringContaining('not JSON') } });
    }
  });

  it('a JSON body with no content type, or another one, is served (Triton\'s client sends none)', async () => {
    for (const headers of [{}, { 'content-type': 'application/octet-stream' }, { 'content-type': 'text/plain' }] as Record<string, string>[]) {
      // A byte array body: fetch adds no content type of its own.
      const res = await http(cluster, '/v2/models/mlp/infer', { method: 'POST', body: new TextEncoder().encode(JSON.stringify(mlp())), headers });
      expect([headers, res.status, res.body.outputs?.[0]?.shape]).toEqual([headers, 200, [1, 16]]);
    }
  });

  it('binary tensor data: the JSON header, then the raw FP32 bytes, as the extension specifies, is served like the JSON form', async () => {
    const values = mlpInput(1, 3);
    const header = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], parameters: { binary_data_size: 256 } }] });
    const raw = new Uint8Array(Float32Array.from(values).buffer);
    const body = new Uint8Array([...new TextEncoder().encode(header), ...raw]);
    const send = (b: Uint8Array, length: number) => http(cluster, '/v2/models/mlp/infer', {
      method: 'POST', body: b, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(length) },
    });
    const binary = await send(body, header.length);
    const json = await http(cluster, '/v2/models/mlp/infer', { json: mlp() });
    expect(binary.status).toBe(200);
    expect(binary.body.outputs).toEqual(json.body.outputs);
    // Binary output: the JSON header, then the output's raw bytes; the same values as the JSON answer.
    const outHeader = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: values }], outputs: [{ name: json.body.outputs[0].name, parameters: { binary_data: true } }] });
    const res = await fetch(`${cluster.url}/v2/models/mlp/infer`, { method: 'POST', body: new TextEncoder().encode(outHeader) });
    const length = Number(res.headers.get('inference-header-content-length'));
    const bytes = new Uint8Array(await res.arrayBuffer());
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, length)));
    expect(head.outputs[0]).toEqual({ name: json.body.outputs[0].name, datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } });
    expect(bytes.length).toBe(length + 64);
    expect([...new Float32Array(bytes.slice(length).buffer)]).toEqual(json.body.outputs[0].data);
    const short = await send(body.subarray(0, body.length - 4), header.length);
    expect(short).toMatchObject({ status: 400, body: { code: 'IM_INVALID_INPUT', error: expect.stringContaining("input 'input'") } });
  });

  it('binary BYTES input: each element a 4-byte little-endian length, then its UTF-8 bytes; the same answer as JSON', async () => {
    const texts = ['a great film', 'dull and bad'];
    const parts = texts.map((t) => new TextEncoder().encode(t));
    const raw = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
    let at = 0;
    for (const p of parts) {
      new DataView(raw.buffer).setUint32(at, p.length, true);
      raw.set(p, at + 4);
      at += 4 + p.length;
    }
    const header = JSON.stringify({ inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: raw.length } }] });
    const res = await http(cluster, '/v2/models/sentiment/infer', {
      method: 'POST', body: new Uint8Array([...new TextEncoder().encode(header), ...raw]), headers: { 'inference-header-content-length': String(header.length) },
    });
    const json = await http(cluster, '/v2/models/sentiment/infer', { json: { inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: texts }] } });
    expect(json.status).toBe(200);
    expect([res.status, res.body.outputs]).toEqual([200, json.body.outputs]);
  });

  it('an unknown route and an unknown async id', async () => {
    expect(await http(cluster, '/v3/nothing')).toMatchObject({ status: 404, body: { code: 'IM_NOT_FOUND' } });
    expect(await http(cluster, '/v2/requests/does-not-exist')).toMatchObject({ status: 404, body: { code: 'IM_REQUEST_NOT_FOUND' } });
  });

  it('a prototype-polluting body is refused or ignored, never applied', async () => {
    const res = await http(cluster, '/v2/models/mlp/infer', { method: 'POST', body: '{"__proto__": {"polluted": true}, "inputs": []}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    await stillServes();
  });

  it('the coordinator still serves after all of the above', stillServes);
});

describe('bad frames on the WebSocket client API', () => {
  it('answers each bad frame with an error frame and keeps the connection', async () => {
    const ws = new WebSocket(cluster.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const frames: any[] = [];
    ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'launch', id: 'a' }));
    ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    ws.send(JSON.stringify({ type: 'infer', id: 'b', model: 'nope', request: mlp() }));
    ws.send(JSON.stringify({ type: 'infer', id: 'c', model: 'mlp', request: mlp({ shape: [2, 64] }) }));
    ws.send(JSON.stringify({ type: 'infer', id: 'ok', model: 'mlp', request: mlp() }));
    await expect.poll(() => frames.length, { timeout: 10_000 }).toBe(6);
    expect(frames.filter((f) => f.type === 'error' && f.code === 'IM_BAD_REQUEST')).toHaveLength(3);
    expect(frames.find((f) => f.id === 'a')).toMatchObject({ type: 'error', code: 'IM_BAD_REQUEST' });
    expect(frames.find((f) => f.id === 'b')).toMatchObject({ type: 'error', code: 'IM_MODEL_NOT_FOUND' });
    expect(frames.find((f) => f.id === 'c')).toMatchObject({ type: 'error', code: 'IM_INVALID_INPUT' });
    expect(frames.find((f) => f.id === 'ok')).toMatchObject({ type: 'result' });
    ws.close();
  });
});

describe('hostile frames on the worker ports', () => {
  async function hostile(url: string, headers: Record<string, string> = {}): Promise<number> {
    const ws = new WebSocket(url, { headers });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(Buffer.from([0xc1, 0xff, 0x00, 0x13, 0x37]));
    ws.send('{"type":"call"}');
    return closed;
  }

  it('the coordinator worker channel drops a connection that sends garbage and keeps serving', async () => {
    const code = await hostile(`ws://${cluster.workerAddress}`, workerChannelHeaders(cluster));
    expect([1002, 1003, 1007, 1008]).toContain(code);
    await stillServes();
  });

  it('a listening worker drops a connection that sends garbage and keeps serving', async () => {
    const worker: ManagedProcess = spawnApp({
      name: 'listening-worker',
      entry: APP_ENTRY.worker,
      args: ['--port', '0', '--insecure-coordinators', '--repository', await demoRepository(), '--model', 'noop', '--log-level', 'info'],
    });
    try {
      const { port } = await worker.waitFor('worker listening');
      const code = await hostile(`ws://127.0.0.1:${port}`);
      expect([1002, 1003, 1007, 1008]).toContain(code);
      expect(worker.child.exitCode).toBeNull();
      // A coordinator can still dial it and get answers through it.
      const other = await demoCluster({ workers: 0, coordinatorArgs: ['--worker', `127.0.0.1:${port}`] });
      try {
        await expect.poll(async () => (await http(other, '/v2/models/noop/ready')).status, { timeout: 15_000 }).toBe(200);
        const res = await http(other, '/v2/models/noop/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } });
        expect(res.body.outputs[0].data).toEqual([1, 2, 3, 4]);
      } finally {
        await other.stop();
      }
    } finally {
      await worker.stop();
    }
  });
});
