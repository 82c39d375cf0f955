import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnApp } from '@infermesh/launcher';
import { mlpReference, mlpWeights, writeModelRepository } from '@infermesh/models';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlpRow } from '../payloads.js';
import { createPlainServer } from './plain-server.js';

// The demo MLP as `npm start` builds it, run by a real ONNX Runtime session behind a real socket.
describe('createPlainServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-plain-server-'));
  let server: ReturnType<typeof createPlainServer>;
  let url = '';
  beforeAll(async () => {
    await writeModelRepository({ out: dir, models: ['mlp'] });
    const session = await ort.InferenceSession.create(join(dir, 'mlp', '1', 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    server = createPlainServer(session, { name: 'mlp', version: '1' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/models/mlp/infer`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  const post = (body: string) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  it("answers the protocol's request with the model's output, as the reference computes it", async () => {
    const rows = [mlpRow(1), mlpRow(2)];
    const res = await post(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 64], data: rows.flat() }] }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model_name: string; model_version: string; outputs: Array<{ name: string; datatype: string; shape: number[]; data: number[] }> };
    expect(body).toMatchObject({ model_name: 'mlp', model_version: '1', outputs: [{ name: 'output', datatype: 'FP32', shape: [2, 16] }] });
    const expected = mlpReference(mlpWeights(), Float32Array.from(rows.flat()), 2);
    const data = body.outputs[0]?.data ?? [];
    expect(data).toHaveLength(expected.length);
    for (const [i, v] of data.entries()) expect(Math.abs(v - (expected[i] as number))).toBeLessThan(1e-4);
  });

  it('answers 400 with the error body: IM_BAD_REQUEST for a body that is not JSON, IM_INVALID_INPUT for a wrong shape', async () => {
    const notJson = await post('nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'IM_BAD_REQUEST', error: expect.any(String) });
    const wrongShape = await post(JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 63], data: mlpRow(1).slice(0, 63) }] }));
    expect(wrongShape.status).toBe(400);
    expect(await wrongShape.json()).toMatchObject({ code: 'IM_INVALID_INPUT' });
  });
});

// The entry the scenario starts: its own process, model path and port from argv, one JSON line when listening.
describe('plain-server-main', () => {
  const entry = fileURLToPath(new URL('./plain-server-main.ts', import.meta.url));

  it('serves the model file it is given and logs its port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-plain-main-'));
    await writeModelRepository({ out: dir, models: ['mlp'] });
    const server = spawnApp({ name: 'plain server', entry, args: [join(dir, 'mlp', '1', 'model.onnx'), '0'] });
    try {
      const { port } = await server.waitFor('plain server listening', { timeoutMs: 30_000 });
      const res = await fetch(`http://127.0.0.1:${port}/v2/models/mlp/infer`, {
        method: 'POST', body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpRow(3) }] }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { outputs: Array<{ shape: number[] }> }).outputs[0]?.shape).toEqual([1, 16]);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000); // a process start through tsx takes seconds on a busy 2-core machine

  it('exits 2 with its usage without a model path', async () => {
    const server = spawnApp({ name: 'plain server', entry, args: [] });
    expect(await server.exited).toBe(2);
    expect(server.output.join('\n')).toContain('usage: plain-server-main.ts MODEL.onnx [PORT]');
  }, 60_000);
});
