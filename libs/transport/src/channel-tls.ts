import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { DialTlsOptions, ListenTlsOptions } from './options.js';

/** PEM file paths of one side of a channel: its own certificate and key, the CA it trusts, and whether its listener requires client certificates. */
export interface ChannelTlsFiles {
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string | undefined;
  mutual?: boolean | undefined;
}

/** Loopback only: 127.0.0.0/8, ::1 (and its IPv4-mapped form), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Reads the PEM files once (a missing file throws at start, not on the first connection) into the
 * options of `listen({ tls })` and `dial(url, { tls })`. `listen` is undefined without a certificate.
 */
export function loadChannelTls(files: ChannelTlsFiles): { listen: ListenTlsOptions | undefined; dial: DialTlsOptions } {
  const read = (file: string | undefined): Buffer | undefined => (file === undefined ? undefined : readFileSync(file));
  const cert = read(files.cert);
  const key = read(files.key);
  const ca = read(files.ca);
  if ((cert === undefined) !== (key === undefined)) throw new TypeError('give the TLS certificate and its key together');
  if (files.mutual === true && ca === undefined) throw new TypeError('mutual TLS needs the CA of the client certificates');
  return {
    listen: cert && key ? { cert, key, ...(files.mutual === true && ca ? { clientCa: ca } : {}) } : undefined,
    dial: { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) },
  };
}

/** A dial address on a TLS channel: `ws://` becomes `wss://`, so no connection of a TLS channel goes in the clear. */
export function secureUrl(url: string): string {
  return url.replace(/^ws:\/\//, 'wss://');
}
