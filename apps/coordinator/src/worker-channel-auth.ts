import { readSecretFile } from '@infermesh/config';
import type { ChannelTls } from '@infermesh/contracts';
import { isLoopbackHost, loadChannelTls, secureUrl, type DialTlsOptions, type ListenTlsOptions } from '@infermesh/transport';
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
  /** Workers found in etcd are dialled too: their addresses are not known at start, so never "loopback". */
  discovers?: boolean | undefined;
  /** TLS of the worker channel (PEM files), or undefined for plain `ws`. */
  tls?: ChannelTls | undefined;
}

export interface WorkerChannelAuth {
  /** How workers that dial in are authenticated: one shared secret, per-worker credentials, or nothing (insecure). */
  listen: { secret?: string; authenticate?: (token: string | undefined) => string | undefined; tls?: ListenTlsOptions };
  /** What the coordinator presents to the workers it dials (and, with TLS, the CA it checks them against). */
  dial: { secret?: string; tls?: DialTlsOptions };
  /** The addresses to dial: `wss://` on a TLS channel. */
  dials: string[];
  /** The credentials file, when per-worker credentials are on (the coordinator reloads and watches it). */
  credentials: WorkerCredentials | undefined;
  /** `tls`: no token; the workers are authenticated by their certificates (mutual TLS, a trusted CA). */
  mode: 'credentials' | 'secret' | 'tls' | 'insecure' | 'unused';
}

export { isLoopbackHost };

/**
 * The one decision on how the worker channel is authenticated. A worker channel (a listener, or
 * workers to dial) needs credentials: a shared secret (`secret` / `secretFile`), or per-worker tokens
 * (`workerCredentials`, for the listener; dialled workers still take the shared secret). Without any,
 * the coordinator does not start unless `insecureWorkers` is set, and that is refused beyond loopback,
 * where any process that reaches the port could join and see clients' inputs.
 * With TLS (`workerTls`), mutual TLS authenticates the workers that dial in (a client certificate
 * from `ca`, its CN the worker id), and a `ca` authenticates the workers it dials (their certificate).
 */
export function workerChannelAuth(config: WorkerChannelAuthConfig): WorkerChannelAuth {
  if (config.secret !== undefined && config.secretFile !== undefined) {
    throw new TypeError('give the worker channel secret (--secret / INFERMESH_SECRET) or a secret file (--secret-file), not both');
  }
  const secret = config.secretFile !== undefined ? readSecretFile(config.secretFile) : config.secret;
  if (secret !== undefined && secret.length < 8) throw new RangeError('the worker channel secret must have at least 8 characters');
  const listens = config.listenHost !== undefined;
  const tls = config.tls ? loadChannelTls(config.tls) : undefined;
  if (tls && listens && tls.listen === undefined) {
    throw new TypeError('the worker listener needs a certificate on a TLS channel: give workerTls.cert and workerTls.key (--worker-tls-cert, --worker-tls-key)');
  }
  const dials = tls ? config.dials.map(secureUrl) : [...config.dials];
  const listenTls = tls?.listen ? { tls: tls.listen } : {};
  const dialTls = tls ? { tls: tls.dial } : {};
  const dialsAny = dials.length > 0 || config.discovers === true;
  if (!listens && !dialsAny) return { listen: {}, dial: {}, dials, credentials: undefined, mode: 'unused' };

  const credentials = listens && config.workerCredentials !== undefined ? new WorkerCredentials(config.workerCredentials) : undefined;
  const mutual = tls?.listen?.clientCa !== undefined;
  const listenSecured = !listens || credentials !== undefined || secret !== undefined || mutual;
  const dialSecured = !dialsAny || secret !== undefined || tls?.dial.ca !== undefined;
  if (listenSecured && dialSecured) {
    return {
      listen: { ...(credentials ? { authenticate: credentials.authenticate } : secret !== undefined ? { secret } : {}), ...listenTls },
      dial: { ...(secret !== undefined ? { secret } : {}), ...dialTls },
      dials,
      credentials,
      mode: credentials ? 'credentials' : secret !== undefined ? 'secret' : 'tls',
    };
  }
  const open = [
    ...(!listenSecured ? [`the worker listener (${config.listenHost})`] : []),
    ...(!dialSecured ? [`the dialled workers (${[...dials, ...(config.discovers ? ['those registered in etcd'] : [])].join(', ')})`] : []),
  ].join(' and ');
  if (!config.insecureWorkers) {
    throw new WorkerChannelError(
      'IM_WORKER_CHANNEL_INSECURE',
      `${open} would accept any process as a worker: give --secret-file FILE (or --secret / INFERMESH_SECRET), ` +
        '--worker-credentials FILE, mutual TLS (--worker-tls-mutual with --worker-tls-ca), or, on loopback only, --insecure-workers',
    );
  }
  const beyond = [
    ...(!listenSecured && !isLoopbackHost(config.listenHost ?? '') ? [config.listenHost ?? ''] : []),
    ...(!dialSecured ? dials.filter((url) => !isLoopbackHost(new URL(url).hostname)) : []),
    ...(!dialSecured && config.discovers ? ['workers registered in etcd'] : []),
  ];
  if (beyond.length > 0) {
    throw new WorkerChannelError(
      'IM_WORKER_CHANNEL_INSECURE',
      `--insecure-workers is refused beyond loopback (${beyond.join(', ')}): give --secret-file FILE, --worker-credentials FILE or mutual TLS`,
    );
  }
  return { listen: { ...(credentials ? { authenticate: credentials.authenticate } : {}), ...listenTls }, dial: { ...dialTls }, dials, credentials, mode: 'insecure' };
}
