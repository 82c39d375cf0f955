import { makeTestPki } from '@infermesh/foundation/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { workerChannel, WorkerListenerInsecureError } from './listener-auth.js';

const base = { secret: undefined, tls: undefined, listen: { host: '127.0.0.1', port: 9200 }, coordinators: [], insecureCoordinators: false };
const pki = makeTestPki('listener-auth');
afterAll(() => pki.remove());
const own = pki.issue('worker-1', { ips: ['10.0.0.4'] });

describe('workerChannel: the worker listener needs credentials', () => {
  it('refuses a listener without a secret or mutual TLS, naming the flags', () => {
    expect(() => workerChannel(base)).toThrow(WorkerListenerInsecureError);
    expect(() => workerChannel(base)).toThrow(/--secret-file FILE .*--tls-mutual .*--insecure-coordinators/);
  });

  it('allows --insecure-coordinators on loopback only', () => {
    expect(workerChannel({ ...base, insecureCoordinators: true }).mode).toBe('insecure');
    expect(() => workerChannel({ ...base, insecureCoordinators: true, listen: { host: '0.0.0.0', port: 9200 } })).toThrow(/refused beyond loopback \(0\.0\.0\.0\)/);
  });

  it('takes the secret, for both directions', () => {
    const c = workerChannel({ ...base, secret: 'a-secret-123', listen: { host: '0.0.0.0', port: 9200 }, coordinators: ['ws://10.0.0.2:9100'] });
    expect(c).toMatchObject({ mode: 'secret', listen: { secret: 'a-secret-123' }, dial: { secret: 'a-secret-123' }, coordinators: ['ws://10.0.0.2:9100'] });
  });

  it('takes mutual TLS as the listener\'s credential, and dials wss', () => {
    const c = workerChannel({
      ...base, listen: { host: '10.0.0.4', port: 9200 }, coordinators: ['ws://10.0.0.2:9100'],
      tls: { cert: own.certFile, key: own.keyFile, ca: pki.caFile, mutual: true },
    });
    expect(c.mode).toBe('tls');
    expect(c.listen.tls).toEqual({ cert: own.cert, key: own.key, clientCa: pki.ca });
    expect(c.dial.tls).toEqual({ ca: pki.ca, cert: own.cert, key: own.key });
    expect(c.coordinators).toEqual(['wss://10.0.0.2:9100']);
  });

  it('TLS without client certificates is not a credential; a listener on TLS needs a certificate', () => {
    expect(() => workerChannel({ ...base, tls: { cert: own.certFile, key: own.keyFile, mutual: false } })).toThrow(WorkerListenerInsecureError);
    expect(() => workerChannel({ ...base, secret: 'a-secret-123', tls: { ca: pki.caFile, mutual: false } })).toThrow(/needs a certificate/);
  });

  it('needs nothing of a worker that only dials', () => {
    expect(workerChannel({ ...base, listen: { host: '127.0.0.1' }, coordinators: ['ws://127.0.0.1:9100'] }).mode).toBe('dial-only');
  });
});
