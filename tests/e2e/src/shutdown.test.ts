import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Cluster } from '@infermesh/launcher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, http } from './fixtures.js';
import { mlpInput } from './references.js';

/** One POST on a kept-alive agent; the outcome by kind, as a load generator would count it. */
function post(agent: Agent, port: number, body: string): Promise<{ status: number; code?: string; connection?: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/v2/models/mlp/infer', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let code: string | undefined;
          try {
            code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, ...(code ? { code } : {}), ...(res.headers.connection ? { connection: res.headers.connection } : {}) });
        });
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

describe('SIGTERM to the coordinator under keep-alive load', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await demoCluster({ workers: 2, coordinatorArgs: ['--cache', 'off', '--drain-timeout-ms', '5000'] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('resets no connection: every request is answered 200, or 503 IM_SHUTTING_DOWN with connection: close, then connections are refused', async () => {
    const port = Number(new URL(cluster.url).port);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const counts = { ok: 0, refusedWithCode: 0, otherStatus: [] as string[], resets: [] as string[], connectRefused: 0 };
    let signalled = false;
    const client = async (c: number): Promise<void> => {
      for (let i = 0; ; i++) {
        const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, c * 100_000 + i) }] });
        const r = await post(agent, port, body);
        if ('error' in r) {
          // A refused connect after the listener closed is the expected end; anything else is a reset or a hang-up.
          if (r.error === 'ECONNREFUSED' && signalled) counts.connectRefused++;
          else counts.resets.push(r.error);
          return;
        }
        if (r.status === 200) counts.ok++;
        else if (r.status === 503 && r.code === 'IM_SHUTTING_DOWN' && r.connection === 'close') counts.refusedWithCode++;
        else counts.otherStatus.push(`${r.status} ${r.code ?? '(no code)'}`);
      }
    };
    const clients = Array.from({ length: 16 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 1_000));
    const stopped = cluster.coordinator.waitFor('coordinator stopped', { timeoutMs: 20_000 });
    signalled = true;
    cluster.coordinator.child.kill('SIGTERM');
    await Promise.all(clients);
    agent.destroy();
    const line = await stopped;
    expect(await cluster.coordinator.exited).toBe(0);
    console.log(`shutdown under load: ${JSON.stringify(counts)}`);
    expect(counts.resets).toEqual([]);
    expect(counts.otherStatus).toEqual([]);
    expect(counts.ok).toBeGreaterThan(100);
    expect(counts.connectRefused).toBe(16);
    expect(line.finished).toBe(true);
  });
});

describe('limits of the client-facing server', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await demoCluster({ workers: 1, coordinatorArgs: ['--headers-timeout-ms', '1000'] });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('closes slow-header connections within a few seconds with 408 IM_REQUEST_TIMEOUT, and serves others meanwhile', async () => {
    const port = Number(new URL(cluster.url).port);
    const started = performance.now();
    const slow = Array.from({ length: 50 }, () => new Promise<{ text: string; ms: number }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      const drip = setInterval(() => socket.writable && socket.write('x'), 300);
      socket.on('connect', () => socket.write('GET /v2/health/live HTTP/1.1\r\nhost: x\r\nx-slow: '));
      socket.on('data', (d) => (text += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve({ text, ms: performance.now() - started });
      });
    }));
    for (let i = 0; i < 5; i++) expect((await http(cluster, '/v2/health/live')).status).toBe(200);
    const results = await Promise.all(slow);
    for (const r of results) {
      expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
      expect(r.text).toContain('"code":"IM_REQUEST_TIMEOUT"');
      expect(r.ms).toBeLessThan(4_000);
    }
  });

  it('answers oversized headers with 431 IM_HEADERS_TOO_LARGE, and a URL past 16 KiB too', async () => {
    const port = Number(new URL(cluster.url).port);
    const raw = (head: string) => new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(head));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(text));
    });
    const big = await raw(`GET /v2/health/live HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(big).toContain('"code":"IM_HEADERS_TOO_LARGE"');
    const longUrl = await raw(`GET /v2/models/${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`);
    expect(longUrl).toMatch(/^HTTP\/1\.1 431 /);
    expect((await http(cluster, '/v2/health/live')).status).toBe(200);
  });
});
