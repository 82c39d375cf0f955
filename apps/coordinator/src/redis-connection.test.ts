import { makeTestFiles } from '@infermesh/foundation/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { redisConnection } from './redis-connection.js';

const files = makeTestFiles('im-redis-conn');
const { write } = files;
afterAll(() => files.remove());

describe('redisConnection', () => {
  it('is the URL alone without a CA or password file (rediss:// then trusts the system store)', () => {
    expect(redisConnection('rediss://10.0.0.2:6380', {})).toEqual({ url: 'rediss://10.0.0.2:6380' });
  });

  it('reads the CA and the password from their files', () => {
    const ca = write('ca.pem', '-----BEGIN CERTIFICATE-----\n', 0o644);
    const passwordFile = write('pw', 'redis-pw\n', 0o600);
    expect(redisConnection('rediss://10.0.0.2:6380', { ca, passwordFile })).toEqual({
      url: 'rediss://10.0.0.2:6380', tls: { ca: '-----BEGIN CERTIFICATE-----\n' }, password: 'redis-pw',
    });
  });

  it('refuses a password file other users may read (IM_CONFIG_SECRET_FILE)', () => {
    const passwordFile = write('open-pw', 'redis-pw', 0o644);
    expect(() => redisConnection('rediss://h:6380', { passwordFile })).toThrow(expect.objectContaining({ code: 'IM_CONFIG_SECRET_FILE' }));
  });
});
