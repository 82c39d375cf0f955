import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ENTRY, spawnApp, type ManagedProcess } from '@infermesh/launcher';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InferenceClient, grpc } from './grpc-client.js';

let certDir: string | undefined;
try {
  certDir = mkdtempSync(join(tmpdir(), 'im-e2e-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
  ], { stdio: 'ignore' });
} catch {
  certDir = undefined;
}
const suite = certDir ? it : it.skip;
if (!certDir) process.stderr.write('client-tls.test: openssl is not available; the TLS test is skipped\n');

let coordinator: ManagedProcess | undefined;
let port = 0;
let grpcPort = 0;
beforeAll(async () => {
  if (!certDir) return;
  coordinator = spawnApp({
    name: 'tls-coordinator',
    entry: APP_ENTRY.coordinator,
    args: ['--listen-port', '0', '--worker-port', '0', '--insecure-workers', '--grpc-port', '0', '--tls-cert', join(certDir, 'cert.pem'), '--tls-key', join(certDir, 'key.pem')],
  });
  const [http, rpc] = await Promise.all([coordinator.waitFor('coordinator listening'), coordinator.waitFor('grpc listening')]);
  port = Number(http.port);
  grpcPort = Number(rpc.port);
});
afterAll(async () => {
  await coordinator?.stop();
});

function get(path: string, ca: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

suite('serves the client API over TLS when a certificate is configured', async () => {
  const ca = readFileSync(join(certDir!, 'cert.pem'));
  expect(await get('/v2/health/live', ca)).toEqual({ status: 200, body: '{"live":true}' });
  // A client that does not trust the certificate is refused by TLS itself.
  await expect(get('/v2/health/live', undefined)).rejects.toThrow(/self-signed|self signed/);
  // Plain HTTP on the TLS port gets no answer from the API.
  const plain = await fetch(`http://127.0.0.1:${port}/v2/health/live`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status, () => 'refused');
  expect(plain).not.toBe(200);
  // The WebSocket client API rides the same TLS server.
  const ws = new WebSocket(`wss://127.0.0.1:${port}/v2/ws`, { ca });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answer = new Promise<{ type: string; code?: string }>((resolve) => ws.once('message', (raw) => resolve(JSON.parse(String(raw)))));
  ws.send(JSON.stringify({ type: 'infer', id: 'a', model: 'noop', request: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] } }));
  expect(await answer).toMatchObject({ type: 'error', code: 'IM_MODEL_NOT_FOUND' });
  ws.close();
});

suite('serves gRPC over TLS with the same certificate', async () => {
  const ca = readFileSync(join(certDir!, 'cert.pem'));
  const secure = new InferenceClient(`127.0.0.1:${grpcPort}`, grpc.credentials.createSsl(ca));
  const plain = new InferenceClient(`127.0.0.1:${grpcPort}`);
  const untrusting = new InferenceClient(`127.0.0.1:${grpcPort}`, grpc.credentials.createSsl());
  try {
    expect(await secure.call('ServerLive', {})).toEqual({ live: true });
    expect((await plain.failure('ServerLive', {}, { deadlineMs: 5_000 })).code).toBe(grpc.status.UNAVAILABLE);
    expect((await untrusting.failure('ServerLive', {}, { deadlineMs: 5_000 })).code).toBe(grpc.status.UNAVAILABLE);
  } finally {
    for (const c of [secure, plain, untrusting]) c.close();
  }
});
