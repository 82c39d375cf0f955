import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer, type SeenRequest } from './recording-server.js';
import { bodiesFile, requireWrk, runWrk } from './wrk-run.js';

// A real HTTP server that records what each request carried: /refuse answers every third request with a 503, as an overloaded server would.
let server: RecordingServer;
let url: string;
let seen: readonly SeenRequest[];

beforeAll(async () => {
  server = await startRecordingServer((req, seen) => (req.url === '/refuse' && seen.filter((s) => s.path === '/refuse').length % 3 === 0 ? 503 : 200));
  ({ url, seen } = server);
});
afterAll(() => server.close());

describe('runWrk', () => {
  it('sends distinct JSON bodies and a binary body byte for byte with its own headers, in one shared turn, and counts what the server saw', async () => {
    const json = Array.from({ length: 63 }, (_, i) => `{"inputs":[{"name":"x","data":[${i}, 0.5]}],"note":"ü ✓"}`);
    const binary = Buffer.from([0x7b, 0x7d, 0x00, 0xff, 0x80, 0x0a, 0x3a, 0x20, 0x0d]);
    const bodies = [...json, { body: binary, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '2' } }];
    const connections = 4;
    const result = await runWrk({ url: `${url}shared`, bodies, rotation: 'shared', connections, durationS: 1 });
    expect(result.errors).toBe(0);
    expect(result.ok).toBeGreaterThan(50);
    expect(result.durationS).toBeGreaterThan(0.9);
    expect(result.rps).toBeCloseTo(result.ok / result.durationS, 6);
    expect(result.latency.p50).toBeGreaterThan(0);
    expect(result.latency.p50).toBeLessThanOrEqual(result.latency.p99);
    expect(result.latency.p99).toBeLessThanOrEqual(result.latency.max);
    // Only the requests still in flight when wrk stopped may have reached the server without an answer counted.
    await new Promise((r) => setTimeout(r, 100));
    const mine = seen.filter((s) => s.path === '/shared');
    expect(mine.length).toBeGreaterThanOrEqual(result.ok);
    expect(mine.length).toBeLessThanOrEqual(result.ok + connections);
    // Every request is one of the bodies, byte for byte, with that body's headers.
    const index = (s: SeenRequest): number =>
      s.contentType === 'application/octet-stream' ? (s.headerLength === '2' && s.body.equals(binary) ? json.length : -1) : s.contentType === 'application/json' && s.headerLength === undefined ? json.indexOf(s.body.toString()) : -1;
    const order = mine.map(index);
    expect(order.filter((i) => i < 0)).toEqual([]);
    // One turn shared by every connection: the k-th request to arrive is the turn's k-th, give or take the
    // requests in flight beside it and the order in which the server's reads of several sockets end (the
    // bound is loose: per-connection turns would start every connection at the first body and be off by
    // three quarters of the requests within the first rounds).
    const n = bodies.length;
    const offTurn = order.map((b, k) => ({ k, b, d: Math.min((b - k + n * 1000) % n, (k - b + n * 1000) % n) })).filter(({ d }) => d > 2 * connections);
    expect(offTurn).toEqual([]);
    const counts = bodies.map((_, b) => order.filter((i) => i === b).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(connections);
    expect(counts[json.length]).toBeGreaterThan(0);
  });

  it('counts non-2xx answers as errors, not as answers', async () => {
    const result = await runWrk({ url: `${url}refuse`, bodies: ['{}'], connections: 2, durationS: 1 });
    await new Promise((r) => setTimeout(r, 100));
    const mine = seen.filter((s) => s.path === '/refuse').length;
    expect(result.ok).toBeGreaterThan(20);
    // A third of the answers were 503s.
    expect(result.errors).toBeGreaterThanOrEqual(Math.floor((result.ok + result.errors) / 3) - 1);
    expect(result.errors).toBeLessThanOrEqual(Math.ceil((result.ok + result.errors) / 3) + 1);
    expect(mine - (result.ok + result.errors)).toBeGreaterThanOrEqual(0);
    expect(mine - (result.ok + result.errors)).toBeLessThanOrEqual(2);
  });

  it('fails at once when nothing listens at the URL', async () => {
    const closed = await startRecordingServer();
    await closed.close();
    const port = new URL(closed.url).port;
    // wrk tries one connection before it starts, and stops there.
    await expect(runWrk({ url: `http://127.0.0.1:${port}/`, bodies: ['{}'], connections: 1, durationS: 1 })).rejects.toThrow(
      `wrk failed (exit 1): unable to connect to 127.0.0.1:${port} Connection refused`,
    );
  });

  it('fails naming the Debian package when the binary is missing', async () => {
    await expect(runWrk({ url, bodies: ['{}'], connections: 1, durationS: 1, command: '/nonexistent/wrk' })).rejects.toThrow(
      'wrk not found (/nonexistent/wrk): it comes from the Debian package wrk',
    );
    expect(() => requireWrk('/nonexistent/wrk')).toThrow('wrk not found (/nonexistent/wrk): it comes from the Debian package wrk');
    expect(() => requireWrk()).not.toThrow();
  });

  it('fails with wrk’s own complaint on a bad URL', async () => {
    await expect(runWrk({ url: 'not-a-url', bodies: ['{}'], connections: 1, durationS: 1 })).rejects.toThrow('wrk failed (exit 1): invalid URL: not-a-url');
  });

  it('refuses what wrk cannot do before starting it', async () => {
    await expect(runWrk({ url, bodies: ['{}', '[]'], connections: 2, durationS: 1 })).rejects.toThrow(TypeError);
    await expect(runWrk({ url, bodies: [], rotation: 'shared', connections: 1, durationS: 1 })).rejects.toThrow('bodies must hold at least one request body');
    await expect(runWrk({ url, bodies: ['{}'], connections: 1, threads: 2, durationS: 1 })).rejects.toThrow(RangeError);
    await expect(runWrk({ url, bodies: ['{}'], connections: 1, durationS: 1, timeoutS: 0.5 })).rejects.toThrow(RangeError);
    expect(() => bodiesFile([{ body: '{}', headers: { 'x-evil': 'a\r\nHost: elsewhere' } }])).toThrow(TypeError);
  });
});

describe('bodiesFile', () => {
  it('writes per body its header count, byte length, header lines and bytes', () => {
    const file = bodiesFile([
      { body: 'ü', headers: { 'content-type': 'application/json' } },
      { body: Buffer.from([0, 10]), headers: {} },
    ]);
    expect(file.equals(Buffer.concat([Buffer.from('1 2\ncontent-type: application/json\nü'), Buffer.from('0 2\n'), Buffer.from([0, 10])]))).toBe(true);
  });
});
