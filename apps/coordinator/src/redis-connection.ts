import { readClientCredentials } from '@infermesh/config';
import type { RedisOptions } from '@infermesh/kvstore';

/** The coordinator's `redis` settings: one CA and one password file for every Redis it uses (cache tier, async results). */
export interface RedisSecurityFiles {
  ca?: string | undefined;
  passwordFile?: string | undefined;
}

/**
 * The kvstore options of a connection to the Redis at `url`, with the CA and the password read from
 * their files (at start: a missing or group-readable file stops it). A `rediss://` URL without a CA
 * verifies the server against the system trust store.
 */
export function redisConnection(url: string, files: RedisSecurityFiles): Pick<RedisOptions, 'url' | 'tls' | 'password'> {
  const { tls, auth } = readClientCredentials({
    tls: files.ca === undefined ? undefined : { ca: files.ca },
    auth: files.passwordFile === undefined ? undefined : { passwordFile: files.passwordFile },
  });
  return { url, ...(tls === undefined ? {} : { tls }), ...(auth === undefined ? {} : { password: auth.password }) };
}
