import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer, type SeenRequest } from './recording-server.js';
import { runAutocannon } from './autocannon-run.js';

// A real HTTP server that records what each request carried.
let server: RecordingServer;
let url: string;
let seen: readonly SeenRequest[];

beforeAll(async () => {
  server = await startRecordingServer();
  ({ url, seen } = server);
});
afterAll(() => server.close());

describe('runAutocannon', () => {
  it('sends a string as a JSON body and a binary body byte for byte with its own headers, in one shared turn', async () => {
    const binary = Buffer.from([0x7b, 0x7d, 0x00, 0xff, 0x80, 0x3f]);
    const result = await runAutocannon({
      url: `${url}shared`,
      bodies: ['{"a":1}', { body: binary, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': '2' } }],
      rotation: 'shared',
      connections: 2,
      durationS: 0.3,
    });
    expect(result.errors).toBe(0);
    expect(result.ok).toBeGreaterThan(4);
    // The last request of a step may still arrive after it ended: each test reads its own path.
    const mine = seen.filter((s) => s.path === '/shared');
    const json = mine.filter((s) => s.contentType === 'application/json');
    const bin = mine.filter((s) => s.contentType === 'application/octet-stream');
    expect(json.length + bin.length).toBe(mine.length);
    expect(json[0]).toEqual({ path: '/shared', contentType: 'application/json', headerLength: undefined, body: Buffer.from('{"a":1}') });
    expect(bin[0]?.headerLength).toBe('2');
    expect(bin[0]?.body.equals(binary)).toBe(true);
    expect(Math.abs(json.length - bin.length)).toBeLessThanOrEqual(2);
  });

  it('takes binary bodies in per-connection turns too', async () => {
    const binary = Buffer.from([1, 2, 3, 0]);
    const result = await runAutocannon({ url: `${url}own`, bodies: [{ body: binary, headers: { 'content-type': 'application/octet-stream' } }], connections: 1, durationS: 0.2 });
    expect(result.ok).toBeGreaterThan(0);
    const mine = seen.filter((s) => s.path === '/own');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.filter((s) => !(s.contentType === 'application/octet-stream' && s.body.equals(binary)))).toEqual([]);
  });
});
