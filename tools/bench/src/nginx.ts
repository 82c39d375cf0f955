import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

/** The nginx binary, or undefined when it is not installed (`apt-get install -y nginx`). */
export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    const found = execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
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

export interface RunningNginx {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `nginx -g 'daemon off;'` in the foreground as our child and waits until it accepts. */
export async function startNginx(options: { binary: string; dir: string; upstreamPort: number }): Promise<RunningNginx> {
  mkdirSync(options.dir, { recursive: true });
  // nginx run as root hands its worker to `nobody`, which must be able to reach the temp paths.
  chmodSync(options.dir, 0o755);
  const port = await freePort();
  const configFile = join(options.dir, 'nginx.conf');
  writeFileSync(configFile, nginxConfig({ dir: options.dir, port, upstreamPort: options.upstreamPort }));
  const errorLog = join(options.dir, 'error.log');
  const child = spawn(options.binary, ['-p', options.dir, '-e', errorLog, '-c', configFile, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM'); // nginx: fast shutdown, the master ends its worker
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
      throw new Error(`nginx did not start (exit ${child.exitCode})\n${stderr.join('')}${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, child, stop };
}
