import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findBinary, freePort, startForegroundServer, type ForegroundServer } from './foreground-server.js';

/** The nginx binary, or undefined when it is not installed (`apt-get install -y nginx`). */
export function findNginx(): string | undefined {
  return findBinary('nginx', ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']);
}

/** A config that keeps every path in `dir`: one worker, keep-alive to the upstream, no access log. */
export function nginxConfig(options: { dir: string; port: number; upstreamPort: number }): string {
  const d = options.dir;
  return `worker_processes 1;
pid ${join(d, 'nginx.pid')};
error_log ${join(d, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(d, 'client_body')};
  proxy_temp_path ${join(d, 'proxy')};
  fastcgi_temp_path ${join(d, 'fastcgi')};
  uwsgi_temp_path ${join(d, 'uwsgi')};
  scgi_temp_path ${join(d, 'scgi')};
  keepalive_requests 1000000;
  upstream noop_upstream {
    server 127.0.0.1:${options.upstreamPort};
    keepalive 512;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${options.port};
    location / {
      proxy_pass http://noop_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

export type RunningNginx = ForegroundServer;

/** Starts `nginx -g 'daemon off;'` in the foreground as our child and waits until it accepts. */
export async function startNginx(options: { binary: string; dir: string; upstreamPort: number }): Promise<RunningNginx> {
  mkdirSync(options.dir, { recursive: true });
  // nginx run as root hands its worker to `nobody`, which must be able to reach the temp paths.
  chmodSync(options.dir, 0o755);
  const port = await freePort();
  const configFile = join(options.dir, 'nginx.conf');
  writeFileSync(configFile, nginxConfig({ dir: options.dir, port, upstreamPort: options.upstreamPort }));
  const errorLog = join(options.dir, 'error.log');
  return startForegroundServer({
    name: 'nginx', binary: options.binary, port, logFile: errorLog,
    args: ['-p', options.dir, '-e', errorLog, '-c', configFile, '-g', 'daemon off;'],
  });
}
