import { readFileSync } from 'node:fs';
import { ConfigFileError } from './errors.js';
import { readPrivateFile, readSecretFile } from './read-secret-file.js';

/** PEM file paths of a TLS client: the CA that verifies the server, and an optional client certificate and key. */
export interface TlsFiles {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** The PEM texts of `TlsFiles`, as `tls.connect` (and etcd3, ioredis) take them. */
export interface TlsPem {
  ca?: string;
  cert?: string;
  key?: string;
}

const readPublic = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigFileError(file, error);
  }
};

/**
 * Reads a TLS client's PEM files once, at start (a missing file stops the start, not the first
 * connection). The private key is a secret: like any secret file it must not be readable by other users.
 */
export function readTlsFiles(files: TlsFiles): TlsPem {
  return {
    ...(files.ca === undefined ? {} : { ca: readPublic(files.ca) }),
    ...(files.cert === undefined ? {} : { cert: readPublic(files.cert) }),
    ...(files.key === undefined ? {} : { key: readPrivateFile(files.key) }),
  };
}

/** A user whose password is kept in a private file (`username` optional: Redis's default user has none). */
export interface PasswordFileAuth {
  username?: string | undefined;
  passwordFile: string;
}

/**
 * The credentials of a client of a server (etcd, Redis), read once at start: its TLS files as PEM text,
 * and its password read from a secret file (mode 0600, never a flag value that `ps` shows).
 */
export function readClientCredentials<A extends PasswordFileAuth>(files: {
  tls?: TlsFiles | undefined;
  auth?: A | undefined;
}): { tls?: TlsPem; auth?: Omit<A, 'passwordFile'> & { password: string } } {
  const { tls, auth } = files;
  let withPassword: (Omit<A, 'passwordFile'> & { password: string }) | undefined;
  if (auth !== undefined) {
    const { passwordFile, ...rest } = auth;
    withPassword = { ...rest, password: readSecretFile(passwordFile) };
  }
  return { ...(tls === undefined ? {} : { tls: readTlsFiles(tls) }), ...(withPassword === undefined ? {} : { auth: withPassword }) };
}
