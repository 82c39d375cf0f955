import type { ChannelTls } from '@infermesh/contracts';
import { isLoopbackHost, loadChannelTls, secureUrl, type DialTlsOptions, type ListenTlsOptions } from '@infermesh/transport';

/** A worker whose listener would take any dialer as its coordinator does not start (contracts' `IM_WORKER_CHANNEL_INSECURE`). */
export class WorkerListenerInsecureError extends Error {
  override readonly name = 'WorkerListenerInsecureError';
  readonly code = 'IM_WORKER_CHANNEL_INSECURE';
}

export interface WorkerChannelConfig {
  secret: string | undefined;
  tls: ChannelTls | undefined;
  /** The listener's host and port, or undefined when the worker only dials. */
  listen: { host: string; port?: number | undefined };
  coordinators: readonly string[];
  insecureCoordinators: boolean;
}

export interface WorkerChannel {
  listen: { secret?: string; tls?: ListenTlsOptions };
  dial: { secret?: string; tls?: DialTlsOptions };
  /** The coordinators to dial: `wss://` on a TLS channel. */
  coordinators: string[];
  mode: 'secret' | 'tls' | 'insecure' | 'dial-only';
}

/**
 * The one decision on the worker's side of the channel. A listener (`--port`) runs whatever a dialer
 * asks, so it needs a secret, or mutual TLS (the coordinator's client certificate from `tls.ca`); without
 * either it is refused unless `insecureCoordinators` is set and it listens on loopback only.
 */
export function workerChannel(config: WorkerChannelConfig): WorkerChannel {
  const tls = config.tls ? loadChannelTls(config.tls) : undefined;
  const listens = config.listen.port !== undefined;
  if (tls && listens && tls.listen === undefined) {
    throw new TypeError('the worker listener needs a certificate on a TLS channel: give tls.cert and tls.key (--tls-cert, --tls-key)');
  }
  const secret = config.secret !== undefined ? { secret: config.secret } : {};
  const coordinators = tls ? config.coordinators.map(secureUrl) : [...config.coordinators];
  const channel = {
    listen: { ...secret, ...(tls?.listen ? { tls: tls.listen } : {}) },
    dial: { ...secret, ...(tls ? { tls: tls.dial } : {}) },
    coordinators,
  };
  if (!listens) return { ...channel, mode: 'dial-only' };
  if (config.secret !== undefined) return { ...channel, mode: 'secret' };
  if (tls?.listen?.clientCa !== undefined) return { ...channel, mode: 'tls' };
  if (!config.insecureCoordinators) {
    throw new WorkerListenerInsecureError(
      `the worker listener (${config.listen.host}) would run any dialer's requests: give --secret-file FILE (or --secret / INFERMESH_SECRET), ` +
        'mutual TLS (--tls-mutual with --tls-ca), or, on loopback only, --insecure-coordinators',
    );
  }
  if (!isLoopbackHost(config.listen.host)) {
    throw new WorkerListenerInsecureError(`--insecure-coordinators is refused beyond loopback (${config.listen.host}): give --secret-file FILE or mutual TLS`);
  }
  return { ...channel, mode: 'insecure' };
}
