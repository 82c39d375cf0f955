import { readFileSync } from 'node:fs';

/** The PEM files of the client API's certificate, read once at start (a missing file stops the start). */
export function loadClientTls(tls: { cert: string; key: string } | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!tls) return undefined;
  return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
}
