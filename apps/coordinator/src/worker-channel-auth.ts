import { isIP } from 'node:net';
import { readSecretFile } from '@infermesh/config';
import { WorkerChannelError } from './worker-channel-error.js';
import { WorkerCredentials } from './worker-credentials.js';

/** What the worker channel's authentication is decided from: the coordinator's config. */
export interface WorkerChannelAuthConfig {
  secret?: string | undefined;
  secretFile?: string | undefined;
  workerCredentials?: string | undefined;
  insecureWorkers: boolean;
  /** The listener's host, or undefined when the coordinator does not listen for workers. */
  listenHost: string | undefined;
  /** Worker addresses the coordinator dials. */
  dials: readonly string[];
}

export interface WorkerChannelAuth {
  /** How workers that dial in are authenticated: one shared secret, per-worker credentials, or nothing (insecure). */
  listen: { secret: string } | { authenticate: (token: string | undefined) => string | undefined } | Record<string, never>;
  /** What the coordinator presents to the workers it dials. */
  dial: { secret: string } | Record<string, never>;
  /** The credentials file, when per-worker credentials are on (the coordinator reloads and watches it). */
  credentials: WorkerCredentials | undefined;
  mode: 'credentials' | 'secret' | 'insecure' | 'unused';
}

/** Loopback only: 127.0.0.0/8, ::1 (and its IPv4-mapped form), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * The one decision on how the worker channel is authenticated. A worker channel (a listener, or
 * workers to dial) needs credentials: a shared secret (`secret` / `secretFile`), or per-worker tokens
 * (`workerCredentials`, for the listener; dialled workers still take the shared secret). Without any,
 * the coordinator does not start unless `insecureWorkers` is set, and that is refused beyond loopback,
 * where any process that reaches the port could join and see clients' inputs.
 */
export function workerChannelAuth(config: WorkerChannelAuthConfig): WorkerChannelAuth {
  if (config.secret !== undefined && config.secretFile !== undefined) {
    throw new TypeError('give the worker channel secret (--secret / INFERMESH_SECRET) or a secret file (--secret-file), not both');
  }
  const secret = config.secretFile !== undefined ? readSecretFile(config.secretFile) : config.secret;
  if (secret !== undefined && secret.length < 8) throw new RangeError('the worker channel secret must have at least 8 characters');
  const listens = config.listenHost !== undefined;
  if (!listens && config.dials.length === 0) return { listen: {}, dial: {}, credentials: undefined, mode: 'unused' };

  const credentials = listens && config.workerCredentials !== undefined ? new WorkerCredentials(config.workerCredentials) : undefined;
  const listenSecured = !listens || credentials !== undefined || secret !== undefined;
  const dialSecured = config.dials.length === 0 || secret !== undefined;
  if (listenSecured && dialSecured) {
    return {
      listen: credentials ? { authenticate: credentials.authenticate } : secret !== undefined ? { secret } : {},
      dial: secret !== undefined ? { secret } : {},
      credentials,
      mode: credentials ? 'credentials' : 'secret',
    };
  }
  const open = [
    ...(!listenSecured ? [`the worker listener (${config.listenHost})`] : []),
    ...(!dialSecured ? [`the dialled workers (${config.dials.join(', ')})`] : []),
  ].join(' and ');
  if (!config.insecureWorkers) {
    throw new WorkerChannelError(
      'IM_WORKER_CHANNEL_INSECURE',
      `${open} would accept any process as a worker: give --secret-file FILE (or --secret / INFERMESH_SECRET), ` +
        '--worker-credentials FILE, or, on loopback only, --insecure-workers',
    );
  }
  const beyond = [
    ...(!listenSecured && !isLoopbackHost(config.listenHost ?? '') ? [config.listenHost ?? ''] : []),
    ...(!dialSecured ? config.dials.filter((url) => !isLoopbackHost(new URL(url).hostname)) : []),
  ];
  if (beyond.length > 0) {
    throw new WorkerChannelError(
      'IM_WORKER_CHANNEL_INSECURE',
      `--insecure-workers is refused beyond loopback (${beyond.join(', ')}): give --secret-file FILE or --worker-credentials FILE`,
    );
  }
  return { listen: credentials ? { authenticate: credentials.authenticate } : {}, dial: {}, credentials, mode: 'insecure' };
}
