import { readClientCredentials } from '@infermesh/config';
import { clusterWorkersPrefix, type ClusterEtcd } from '@infermesh/contracts';
import { Membership, type Registration } from '@infermesh/membership';

/** Where coordinators dial this worker: `advertise`, else the listener's own address (refused when it is a wildcard). */
export function advertisedUrl(listen: { host: string; port: number }, advertise: string | undefined, tls: boolean): string {
  const scheme = tls ? 'wss' : 'ws';
  if (advertise !== undefined) return /^wss?:\/\//.test(advertise) ? advertise : `${scheme}://${advertise}`;
  if (listen.host === '0.0.0.0' || listen.host === '::') {
    throw new TypeError(`the worker listens on every address (${listen.host}): give the address coordinators dial (--advertise HOST:PORT)`);
  }
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return `${scheme}://${host}:${listen.port}`;
}

/**
 * The worker's side of membership on etcd: its id and address under a lease it keeps alive. A lost lease
 * (etcd or the network gone longer than the TTL) is granted again when etcd answers. etcd's TLS files and
 * RBAC password file are read here, at start.
 */
export function registerWorker(etcd: ClusterEtcd, workerId: string, url: string): { membership: Membership; registration: Registration } {
  const membership = new Membership({
    endpoints: etcd.endpoints, prefix: clusterWorkersPrefix(etcd.prefix), leaseTtlS: etcd.leaseTtlS, ...readClientCredentials(etcd),
  });
  return { membership, registration: membership.register(workerId, { url }) };
}
