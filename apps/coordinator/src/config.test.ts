import { fileURLToPath } from 'node:url';
import { ConfigInvalidError, loadConfig, loadProgramConfig, parseFlags } from '@infermesh/config';
import { describe, expect, it } from 'vitest';
import { COORDINATOR_FLAGS, CoordinatorConfigSchema } from './config.js';

const DEMO = fileURLToPath(new URL('../../../examples/demo.yaml', import.meta.url));

describe('coordinator config', () => {
  it('accepts the demo config', () => {
    const c = loadConfig(CoordinatorConfigSchema, { file: DEMO, section: 'coordinator' });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9000, headersTimeoutMs: 5_000, receiveTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 4_096 });
    expect(c.workerListen.port).toBe(9100);
    expect(c.grpc).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(c.heartbeatMs).toBe(2000);
  });

  it('serves gRPC on 9001 by default; --grpc-port 0 takes any free port, grpc.port null turns it off', () => {
    expect(loadConfig(CoordinatorConfigSchema, {}).grpc).toEqual({ host: '127.0.0.1', port: 9001 });
    const { overrides } = parseFlags(['--grpc-port', '0', '--grpc-host', '::1'], COORDINATOR_FLAGS);
    expect(loadConfig(CoordinatorConfigSchema, { overrides }).grpc).toEqual({ host: '::1', port: 0 });
    expect(loadConfig(CoordinatorConfigSchema, { overrides: { grpc: { port: null } } }).grpc.port).toBeNull();
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { grpc: { port: 70_000 } } })).toThrow(ConfigInvalidError);
  });

  it('serves from one process by default; --processes N takes a worker port per process (from a fixed one up, each a free one from 0) or none', () => {
    expect(loadConfig(CoordinatorConfigSchema, {}).processes).toBe(1);
    const off = parseFlags(['--processes', '2', '--worker-port', 'off', '--grpc-port', 'off'], COORDINATOR_FLAGS).overrides;
    const c = loadConfig(CoordinatorConfigSchema, { overrides: off });
    expect([c.processes, c.workerListen.port, c.grpc.port]).toEqual([2, null, null]);
    const listening = parseFlags(['--processes', '2'], COORDINATOR_FLAGS).overrides;
    expect(loadConfig(CoordinatorConfigSchema, { overrides: listening }).workerListen.port).toBe(9100);
    const anyPort = parseFlags(['--processes', '2', '--worker-port', '0'], COORDINATOR_FLAGS).overrides;
    expect(loadConfig(CoordinatorConfigSchema, { overrides: anyPort }).workerListen.port).toBe(0);
    const pastTheEnd = parseFlags(['--processes', '3', '--worker-port', '65534'], COORDINATOR_FLAGS).overrides;
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: pastTheEnd })).toThrow(/worker ports \(65534 up\) pass 65535/);
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { processes: 0 } })).toThrow(ConfigInvalidError);
  });

  it('lets flags win and turns host:port workers into ws URLs', () => {
    const { overrides } = parseFlags(['--listen-port', '0', '--worker', '127.0.0.1:9001,ws://h:2'], COORDINATOR_FLAGS);
    const c = loadConfig(CoordinatorConfigSchema, { file: DEMO, section: 'coordinator', overrides });
    expect(c.http.port).toBe(0);
    expect(c.workers).toEqual(['ws://127.0.0.1:9001', 'ws://h:2']);
  });

  it('refuses a bad value with its key', () => {
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { limits: { bodyBytes: 10 }, workers: ['http://x'] } })).toThrow(ConfigInvalidError);
    // Asserted outside a try/catch: a load that does not throw fails the test.
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { limits: { bodyBytes: 10 } } })).toThrow(
      expect.objectContaining({ issues: [expect.stringMatching(/^limits\.bodyBytes:/)] }),
    );
  });

  it('reads fallbacks into model references at the edge: name or name:version', () => {
    const { overrides } = parseFlags(['--fallback', 'mlp:2=mlp:1', '--fallback', 'sentiment=default'], COORDINATOR_FLAGS);
    expect(loadConfig(CoordinatorConfigSchema, { overrides }).fallbacks).toEqual([
      { from: { name: 'mlp', version: '2' }, to: { name: 'mlp', version: '1' } },
      { from: { name: 'sentiment' }, to: { name: 'default' } },
    ]);
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { fallbacks: { 'a:0': 'b' } } })).toThrow(ConfigInvalidError);
  });

  it('takes the telemetry and logging flags, and refuses a sample out of 0..1 or an unknown component', () => {
    const { overrides } = parseFlags(['--trace-store-size', '50', '--access-log-sample', '0.25', '--log-flush-ms', '0'], COORDINATOR_FLAGS);
    const config = loadConfig(CoordinatorConfigSchema, { overrides });
    expect(config.telemetry).toEqual({ traceStoreSize: 50 });
    expect(config.logging).toEqual({ accessSample: 0.25, refusalSummaryMs: 1000, flushMs: 0, levels: {} });
    expect(loadConfig(CoordinatorConfigSchema, {}).logging.flushMs).toBe(100);
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { logging: { flushMs: -1 } } })).toThrow(ConfigInvalidError);
    expect(loadConfig(CoordinatorConfigSchema, {}).telemetry).toEqual({ traceStoreSize: 1000 });
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { logging: { accessSample: 2 } } })).toThrow(ConfigInvalidError);
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { logging: { levels: { nope: 'info' } } } })).toThrow(ConfigInvalidError);
  });

  it('reads API keys from repeated --api-key flags or comma-separated INFERMESH_API_KEYS, and TLS files from flags', () => {
    const env = { 'auth.apiKeys': 'INFERMESH_API_KEYS' };
    const base = { schema: CoordinatorConfigSchema, flags: COORDINATOR_FLAGS, usage: 'u', env };
    const fromEnv = loadProgramConfig([], { ...base, environment: { INFERMESH_API_KEYS: 'env-key-0001, env-key-0002' } });
    expect(fromEnv?.auth.apiKeys).toEqual(['env-key-0001', 'env-key-0002']);
    const fromFlags = loadProgramConfig(['--api-key', 'flag-key-0001', '--api-key', 'flag-key-0002', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], { ...base, environment: {} });
    expect(fromFlags?.auth.apiKeys).toEqual(['flag-key-0001', 'flag-key-0002']);
    expect(fromFlags?.http.tls).toEqual({ cert: 'c.pem', key: 'k.pem' });
    expect(loadProgramConfig([], { ...base, environment: {} })?.auth.apiKeys).toEqual([]);
    expect(() => loadProgramConfig(['--api-key', 'short'], { ...base, environment: {} })).toThrow(ConfigInvalidError);
    expect(() => loadProgramConfig(['--tls-cert', 'c.pem'], { ...base, environment: {} })).toThrow(ConfigInvalidError);
  });
  it('reads rate limits: a default for every key from flags or the file, and a key of its own limit', () => {
    const { overrides } = parseFlags(['--rate-limit', '20'], COORDINATOR_FLAGS);
    expect(loadConfig(CoordinatorConfigSchema, { overrides }).auth.rateLimit).toEqual({ perSecond: 20, burst: 20 });
    const file = loadConfig(CoordinatorConfigSchema, {
      overrides: { auth: { rateLimit: { perSecond: 0.5 }, apiKeys: ['plain-key-0001', { key: 'own-limit-key-02', rateLimit: { perSecond: 100, burst: 10 } }] } },
    });
    expect(file.auth.rateLimit).toEqual({ perSecond: 0.5, burst: 1 });
    expect(file.auth.apiKeys).toEqual(['plain-key-0001', { key: 'own-limit-key-02', rateLimit: { perSecond: 100, burst: 10 } }]);
    expect(loadConfig(CoordinatorConfigSchema, {}).auth.rateLimit).toBeUndefined();
    expect(() => loadConfig(CoordinatorConfigSchema, { overrides: { auth: { rateLimit: { perSecond: 0 } } } })).toThrow(ConfigInvalidError);
  });

  it('reads the worker channel flags', () => {
    const { overrides } = parseFlags(['--secret-file', '/run/s', '--worker-credentials', '/etc/c.yaml', '--insecure-workers', '--worker-quarantine-ms', '0'], COORDINATOR_FLAGS);
    const c = loadConfig(CoordinatorConfigSchema, { overrides });
    expect([c.secretFile, c.workerCredentials, c.insecureWorkers, c.workerQuarantineMs]).toEqual(['/run/s', '/etc/c.yaml', true, 0]);
    expect(loadConfig(CoordinatorConfigSchema, {}).insecureWorkers).toBe(false);
  });

  it('reads the etcd TLS and RBAC flags, and the Redis CA and password file shared by the cache and async results', () => {
    const flags = ['--etcd', 'https://10.0.0.1:2379', '--etcd-ca', '/pki/ca.pem', '--etcd-user', 'coordinator', '--etcd-password-file', '/run/etcd-pw',
      '--cache', 'redis', '--cache-redis', 'rediss://10.0.0.2:6380', '--async-redis', 'rediss://10.0.0.2:6380/1', '--redis-ca', '/pki/redis-ca.pem',
      '--redis-password-file', '/run/redis-pw'];
    const c = loadConfig(CoordinatorConfigSchema, { overrides: parseFlags(flags, COORDINATOR_FLAGS).overrides });
    expect(c.cluster.etcd).toMatchObject({ tls: { ca: '/pki/ca.pem' }, auth: { username: 'coordinator', passwordFile: '/run/etcd-pw' } });
    expect(c.redis).toEqual({ ca: '/pki/redis-ca.pem', passwordFile: '/run/redis-pw' });
  });

  it('refuses https:// etcd without its CA, a Redis CA with a redis:// URL in use, and two Redis passwords', () => {
    const load = (flags: string[]) => () => loadConfig(CoordinatorConfigSchema, { overrides: parseFlags(flags, COORDINATOR_FLAGS).overrides });
    expect(load(['--etcd', 'https://10.0.0.1:2379'])).toThrow(expect.objectContaining({ code: 'IM_CONFIG_INVALID', issues: [expect.stringMatching(/--etcd-ca/)] }));
    expect(load(['--async-redis', 'redis://10.0.0.2:6379', '--redis-ca', '/pki/ca.pem'])).toThrow(
      expect.objectContaining({ issues: [expect.stringMatching(/^async\.redisUrl: .*use rediss:\/\//)] }),
    );
    // The cache tier's default URL is not in use unless the tier is redis.
    expect(load(['--redis-ca', '/pki/ca.pem'])()).toMatchObject({ redis: { ca: '/pki/ca.pem' } });
    expect(load(['--cache', 'redis', '--cache-redis', 'rediss://:pw@h:6380', '--redis-password-file', '/run/pw'])).toThrow(/not both/);
  });
});
