import { fileURLToPath } from 'node:url';
import { ConfigInvalidError, loadConfig, parseFlags } from '@infermesh/config';
import { describe, expect, it } from 'vitest';
import { repositoryFolder, WORKER_FLAGS, WorkerConfigSchema } from './config.js';

const DEMO = fileURLToPath(new URL('../../../examples/demo.yaml', import.meta.url));

describe('worker config', () => {
  it.each(['workers.0', 'workers.1'])('accepts the demo config section %s', async (section) => {
    const c = loadConfig(WorkerConfigSchema, { file: DEMO, section });
    expect(c.coordinators).toEqual(['ws://127.0.0.1:9100']);
    expect(await repositoryFolder(c)).toBe('.infermesh/models');
    expect(c.maxConcurrency).toBe(4);
  });

  it('serves the demo models from the user cache unless a repository is given', async () => {
    const c = loadConfig(WorkerConfigSchema, { overrides: { listen: { port: 0 }, demoModels: true } });
    expect(await repositoryFolder(c)).toMatch(/infermesh\/models$/);
    expect(await repositoryFolder(c)).not.toBe('.infermesh/models');
    expect(await repositoryFolder({ ...c, repository: '/srv/models' })).toBe('/srv/models');
  });

  it('loads every model at start unless explicit model control is asked for', () => {
    expect(loadConfig(WorkerConfigSchema, { overrides: { listen: { port: 0 } } }).modelControl).toBe('startup');
    expect(loadConfig(WorkerConfigSchema, { overrides: { listen: { port: 0 }, modelControl: 'explicit' } }).modelControl).toBe('explicit');
    expect(() => loadConfig(WorkerConfigSchema, { overrides: { listen: { port: 0 }, modelControl: 'poll' } })).toThrow(/modelControl/);
  });

  it('needs a coordinator to dial or a port to listen on', () => {
    expect(() => loadConfig(WorkerConfigSchema, {})).toThrow(/a worker needs a coordinator to dial/);
    expect(loadConfig(WorkerConfigSchema, { overrides: { listen: { port: 0 } } }).listen.port).toBe(0);
  });

  it('refuses a short secret with its key', () => {
    try {
      loadConfig(WorkerConfigSchema, { overrides: { listen: { port: 0 }, secret: 'short' } });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigInvalidError).issues[0]).toMatch(/^secret:/);
    }
  });

  it('reads etcd TLS and RBAC flags; https:// endpoints need --etcd-ca (IM_CONFIG_INVALID at start)', () => {
    const flags = ['--port', '0', '--etcd', 'https://10.0.0.1:2379', '--etcd-ca', '/pki/ca.pem', '--etcd-cert', '/pki/w.pem', '--etcd-key', '/pki/w-key.pem',
      '--etcd-user', 'worker', '--etcd-password-file', '/run/etcd-pw'];
    const c = loadConfig(WorkerConfigSchema, { overrides: parseFlags(flags, WORKER_FLAGS).overrides });
    expect(c.cluster.etcd).toMatchObject({
      tls: { ca: '/pki/ca.pem', cert: '/pki/w.pem', key: '/pki/w-key.pem' }, auth: { username: 'worker', passwordFile: '/run/etcd-pw' },
    });
    const noCa = parseFlags(['--port', '0', '--etcd', 'https://10.0.0.1:2379'], WORKER_FLAGS).overrides;
    expect(() => loadConfig(WorkerConfigSchema, { overrides: noCa })).toThrow(
      expect.objectContaining({ code: 'IM_CONFIG_INVALID', issues: [expect.stringMatching(/^cluster\.etcd\.tls\.ca: .*--etcd-ca/)] }),
    );
    const plainWithCa = parseFlags(['--port', '0', '--etcd', 'http://10.0.0.1:2379', '--etcd-ca', '/pki/ca.pem'], WORKER_FLAGS).overrides;
    expect(() => loadConfig(WorkerConfigSchema, { overrides: plainWithCa })).toThrow(ConfigInvalidError);
  });
});
