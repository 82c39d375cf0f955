import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haproxyConfig } from '@infermesh/launcher';
import { findBinary, freePort, startForegroundServer, type ForegroundServer } from './foreground-server.js';

/** The haproxy binary, or undefined when it is not installed (`apt-get install -y haproxy`). */
export function findHaproxy(): string | undefined {
  return findBinary('haproxy', ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy']);
}

/**
 * HAProxy in the foreground (`-db`) on a free loopback port, with the configuration of docs/deploy.md §6
 * (the multi-host bed's, from `haproxyConfig`) in front of `servers`; resolves once its port accepts.
 */
export async function startHaproxy(options: { binary: string; dir: string; servers: ReadonlyArray<{ name: string; address: string }> }): Promise<ForegroundServer> {
  mkdirSync(options.dir, { recursive: true });
  const port = await freePort();
  const configFile = join(options.dir, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig({ bind: `127.0.0.1:${port}`, servers: options.servers }));
  return startForegroundServer({ name: 'haproxy', binary: options.binary, port, args: ['-db', '-f', configFile] });
}
