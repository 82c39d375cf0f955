/**
 * The HAProxy front door of several coordinators, as docs/deploy.md §6 deploys it: HTTP mode, round robin,
 * a readiness check on every coordinator, and layer-7 retries on the other one when a coordinator dies
 * (inference is idempotent). One writer for the multi-host test bed and the bench, so both run the
 * configuration the deployment guide prints.
 */
export interface HaproxyConfigOptions {
  /** Where the front door listens, `host:port`. */
  bind: string;
  /** The coordinators behind it, each `host:port` of its HTTP API, by a name shown in HAProxy's logs. */
  servers: ReadonlyArray<{ name: string; address: string }>;
  /** Health check interval, ms. Default: 500. */
  checkIntervalMs?: number;
  /** `global maxconn`. Default: 2048. */
  maxconn?: number;
}

/** The `haproxy.cfg` text for `options`; throws RangeError without a server. */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  if (options.servers.length === 0) throw new RangeError('haproxyConfig needs at least one server');
  const inter = options.checkIntervalMs ?? 500;
  return [
    'global', `  maxconn ${options.maxconn ?? 2048}`,
    'defaults', '  mode http', '  timeout connect 1s', '  timeout client 30s', '  timeout server 15s',
    // Inference is idempotent: a request whose coordinator died is sent again, to another one.
    '  retries 3', '  option redispatch 1', '  retry-on all-retryable-errors',
    'frontend inference', `  bind ${options.bind}`, '  default_backend coordinators',
    'backend coordinators', '  balance roundrobin', '  option httpchk GET /v2/health/ready', '  http-check expect status 200',
    `  default-server inter ${inter}ms fall 2 rise 2`,
    ...options.servers.map((s) => `  server ${s.name} ${s.address} check`),
    '',
  ].join('\n');
}
