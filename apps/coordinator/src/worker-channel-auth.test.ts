import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki } from '@infermesh/foundation/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, workerChannelAuth, type WorkerChannelAuthConfig } from './worker-channel-auth.js';
import { WorkerChannelError } from './worker-channel-error.js';

const dir = mkdtempSync(join(tmpdir(), 'im-channel-auth-'));
const privateFile = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  chmodSync(file, 0o600);
  return file;
};
const base: WorkerChannelAuthConfig = { insecureWorkers: false, listenHost: '127.0.0.1', dials: [] };
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof WorkerChannelError ? error.code : (error as Error).name;
  }
  return undefined;
};

describe('workerChannelAuth', () => {
  it('refuses a worker listener or dialled workers without credentials, naming the flags', () => {
    expect(() => workerChannelAuth(base)).toThrow(/--secret-file FILE .*--worker-credentials FILE.*--insecure-workers/);
    expect(codeOf(() => workerChannelAuth(base))).toBe('IM_WORKER_CHANNEL_INSECURE');
    expect(codeOf(() => workerChannelAuth({ ...base, listenHost: undefined, dials: ['ws://127.0.0.1:9200'] }))).toBe('IM_WORKER_CHANNEL_INSECURE');
  });

  it('allows --insecure-workers on loopback only, for the listener and for dialled workers', () => {
    expect(workerChannelAuth({ ...base, insecureWorkers: true }).mode).toBe('insecure');
    expect(workerChannelAuth({ ...base, insecureWorkers: true, listenHost: '::1', dials: ['ws://localhost:1', 'ws://[::1]:2'] }).mode).toBe('insecure');
    expect(() => workerChannelAuth({ ...base, insecureWorkers: true, listenHost: '0.0.0.0' })).toThrow(/refused beyond loopback \(0\.0\.0\.0\)/);
    expect(codeOf(() => workerChannelAuth({ ...base, insecureWorkers: true, listenHost: undefined, dials: ['ws://10.0.0.5:9200'] }))).toBe('IM_WORKER_CHANNEL_INSECURE');
  });

  it('takes the shared secret from a flag or a 0600 file, for both directions', () => {
    const file = privateFile('secret', 'file-secret-123\n');
    expect(workerChannelAuth({ ...base, secretFile: file, dials: ['ws://10.0.0.5:1'] })).toMatchObject({ mode: 'secret', listen: { secret: 'file-secret-123' }, dial: { secret: 'file-secret-123' } });
    expect(workerChannelAuth({ ...base, secret: 'flag-secret-1', listenHost: '0.0.0.0' }).listen).toEqual({ secret: 'flag-secret-1' });
    expect(() => workerChannelAuth({ ...base, secret: 'flag-secret-1', secretFile: file })).toThrow(TypeError);
  });

  it('per-worker credentials guard the listener; dialled workers still need the shared secret', () => {
    const creds = privateFile('creds.yaml', 'worker-a: token-of-worker-a-123\n');
    const auth = workerChannelAuth({ ...base, workerCredentials: creds, listenHost: '0.0.0.0' });
    expect(auth.mode).toBe('credentials');
    expect(auth.listen.authenticate?.('token-of-worker-a-123')).toBe('worker-a');
    expect(codeOf(() => workerChannelAuth({ ...base, workerCredentials: creds, dials: ['ws://10.0.0.5:1'] }))).toBe('IM_WORKER_CHANNEL_INSECURE');
    auth.credentials?.close();
  });

  describe('on a TLS channel', () => {
    const pki = makeTestPki('channel-auth');
    afterAll(() => pki.remove());
    const own = pki.issue('coordinator', { ips: ['10.0.0.2'] });

    it('mutual TLS authenticates the workers that dial in, beyond loopback, without a secret', () => {
      const auth = workerChannelAuth({ ...base, listenHost: '0.0.0.0', tls: { cert: own.certFile, key: own.keyFile, ca: pki.caFile, mutual: true } });
      expect(auth.mode).toBe('tls');
      expect(auth.listen.tls).toEqual({ cert: own.cert, key: own.key, clientCa: pki.ca });
      expect(auth.listen.secret).toBeUndefined();
    });

    it('TLS without client certificates is encryption, not authentication: a secret is still needed', () => {
      const tls = { cert: own.certFile, key: own.keyFile, mutual: false };
      expect(codeOf(() => workerChannelAuth({ ...base, listenHost: '0.0.0.0', tls }))).toBe('IM_WORKER_CHANNEL_INSECURE');
      const auth = workerChannelAuth({ ...base, listenHost: '0.0.0.0', secret: 'flag-secret-1', tls });
      expect(auth).toMatchObject({ mode: 'secret', listen: { secret: 'flag-secret-1', tls: { cert: own.cert, key: own.key } } });
    });

    it('dials wss and checks the workers\' certificates against the CA', () => {
      const auth = workerChannelAuth({ ...base, listenHost: undefined, dials: ['ws://10.0.0.5:9200'], tls: { ca: pki.caFile, cert: own.certFile, key: own.keyFile, mutual: false } });
      expect(auth.mode).toBe('tls');
      expect(auth.dials).toEqual(['wss://10.0.0.5:9200']);
      expect(auth.dial.tls).toEqual({ ca: pki.ca, cert: own.cert, key: own.key });
    });

    it('refuses a TLS listener without a certificate, and mutual TLS without a CA', () => {
      expect(() => workerChannelAuth({ ...base, secret: 'flag-secret-1', tls: { ca: pki.caFile, mutual: false } })).toThrow(/needs a certificate/);
      expect(() => workerChannelAuth({ ...base, secret: 'flag-secret-1', tls: { cert: own.certFile, key: own.keyFile, mutual: true } })).toThrow(TypeError);
    });
  });

  it('needs nothing when there is no worker channel', () => {
    expect(workerChannelAuth({ ...base, listenHost: undefined }).mode).toBe('unused');
  });

  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.internal', '127.0.0.1.nip']) expect(isLoopbackHost(h)).toBe(false);
  });
});
