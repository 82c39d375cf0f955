import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WARM_UP, warmUp } from './warm-up.js';

// A real server that counts the requests of each path.
const seen = new Map<string, number>();
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.set(req.url ?? '', (seen.get(req.url ?? '') ?? 0) + 1);
      res.statusCode = req.url === '/broken' ? 500 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('warmUp', () => {
  it.each(['autocannon', 'wrk'] as const)('with %s, sends the warm-up count of answers', async (generator) => {
    await warmUp({ url: `${url}/${generator}`, bodies: ['{"a":1}', '{"a":2}'], rotation: 'shared' }, generator);
    await new Promise((r) => setTimeout(r, 100));
    const count = seen.get(`/${generator}`) ?? 0;
    expect(count).toBeGreaterThanOrEqual(WARM_UP.answers);
    // wrk runs whole seconds: at most the last second's worth past the count.
    expect(count).toBeLessThan(WARM_UP.answers * (generator === 'wrk' ? 3 : 1.01));
  }, 30_000);

  it('with wrk, stops at a system that never answers ok instead of looping', async () => {
    await expect(warmUp({ url: `${url}/broken`, bodies: ['{}'] }, 'wrk')).rejects.toThrow(`warm-up: no answer from ${url}/broken in a second`);
  });
});
