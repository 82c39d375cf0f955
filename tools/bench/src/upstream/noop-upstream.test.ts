import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noopHttpRequest } from '../payloads.js';
import { createNoopUpstream, noopResponse } from './noop-upstream.js';

describe('noopResponse', () => {
  it('echoes the input as the noop model would answer it', () => {
    expect(JSON.parse(noopResponse(JSON.stringify(noopHttpRequest)) ?? 'null')).toEqual({
      model_name: 'noop',
      model_version: '1',
      outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }],
    });
  });
  it('refuses what is not an inference request', () => {
    expect(noopResponse('{')).toBeUndefined();
    expect(noopResponse('{"inputs":[]}')).toBeUndefined();
    expect(noopResponse('null')).toBeUndefined();
  });
});

describe('createNoopUpstream', () => {
  const server = createNoopUpstream();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/models/noop/infer`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers over HTTP with 200 and a 400 for a bad body', async () => {
    const ok = await fetch(url, { method: 'POST', body: JSON.stringify(noopHttpRequest), headers: { 'content-type': 'application/json' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { outputs: unknown[] }).outputs).toHaveLength(1);
    const bad = await fetch(url, { method: 'POST', body: 'nope' });
    expect(bad.status).toBe(400);
  });
});
