import { join } from 'node:path';
import { makeTestFiles } from '@infermesh/foundation/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigFileError, ConfigSecretFileError, readClientCredentials, readTlsFiles } from './index.js';

const files = makeTestFiles('im-tls');
const { dir, write } = files;
afterAll(() => files.remove());

describe('readTlsFiles', () => {
  it('reads the CA, certificate and key given, and nothing else', () => {
    const ca = write('ca.pem', 'CA PEM', 0o644);
    expect(readTlsFiles({ ca })).toEqual({ ca: 'CA PEM' });
    expect(readTlsFiles({ ca, cert: write('c.pem', 'CERT', 0o644), key: write('k.pem', 'KEY', 0o600) })).toEqual({ ca: 'CA PEM', cert: 'CERT', key: 'KEY' });
  });

  it('refuses a missing file (IM_CONFIG_FILE) and a key other users may read (IM_CONFIG_SECRET_FILE)', () => {
    expect(() => readTlsFiles({ ca: join(dir, 'missing.pem') })).toThrow(ConfigFileError);
    expect(() => readTlsFiles({ key: write('open-key.pem', 'KEY', 0o644) })).toThrow(ConfigSecretFileError);
  });
});

describe('readClientCredentials', () => {
  it('reads the TLS files and the password from its secret file', () => {
    const ca = write('ca2.pem', 'CA PEM', 0o644);
    const passwordFile = write('pw', 'etcd-password\n', 0o600);
    expect(readClientCredentials({ tls: { ca }, auth: { username: 'infermesh', passwordFile } })).toEqual({
      tls: { ca: 'CA PEM' }, auth: { username: 'infermesh', password: 'etcd-password' },
    });
    expect(readClientCredentials({ auth: { passwordFile } })).toEqual({ auth: { password: 'etcd-password' } });
    expect(readClientCredentials({})).toEqual({});
  });

  it('refuses a password file other users may read', () => {
    expect(() => readClientCredentials({ auth: { passwordFile: write('open-pw', 'pw', 0o644) } })).toThrow(/chmod 600/);
  });
});
