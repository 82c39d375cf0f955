import { hostname } from 'node:os';
import type { FlagTable } from '@infermesh/config';
import { ChannelTlsSchema, ClusterEtcdSchema, PeerAddressSchema } from '@infermesh/contracts';
import { STRATEGY_NAMES } from '@infermesh/load-balancer';
import { z } from 'zod';
import { PLACEMENTS, type Fallback, type ModelRef } from './lane-policy.js';

const MiB = 1024 * 1024;

/** A token bucket per API key: `perSecond` requests a second on average, `burst` at once. Default burst: perSecond (at least 1). */
const RateLimitSchema = z
  .object({ perSecond: z.number().positive().max(1_000_000), burst: z.number().min(1).max(1_000_000).optional() })
  .transform((r) => ({ perSecond: r.perSecond, burst: r.burst ?? Math.max(1, Math.ceil(r.perSecond)) }));

/** A model, or one version of it: `name` or `name:version`, read into its parts here, at the edge. */
const TARGET = /^([A-Za-z0-9][A-Za-z0-9_.-]*)(?::([1-9][0-9]*))?$/;
const TargetSchema = z.string().regex(TARGET, 'name or name:version');
function modelRef(target: string): ModelRef {
  const [, name = '', version] = TARGET.exec(target) ?? [];
  return version === undefined ? { name } : { name, version };
}

export const CoordinatorConfigSchema = z.object({
  /** The client API: Open Inference Protocol over HTTP and the WebSocket API at `/v2/ws`. */
  http: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.int().min(0).max(65_535).default(9000),
      /** PEM files: with both set the client API (HTTP and WebSocket) is served over TLS only. */
      tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
      /** A client must send its request headers within this long, or get 408 and a closed socket (slow-header attacks). */
      headersTimeoutMs: z.int().min(100).max(600_000).default(5_000),
      /** A client must send its whole request (headers and body) within this long, or get 408. */
      receiveTimeoutMs: z.int().min(100).max(3_600_000).default(30_000),
      /** An idle kept-alive connection is closed after this long. */
      keepAliveTimeoutMs: z.int().min(100).max(600_000).default(5_000),
      /** Open client connections at most (HTTP and WebSocket); more are closed as they arrive. */
      maxConnections: z.int().min(1).max(1_000_000).default(4_096),
    })
    .prefault({}),
  /**
   * The Open Inference Protocol over gRPC (`inference.GRPCInferenceService`), on its own port, with the
   * HTTP side's API keys, TLS files and body limit. `port: null`: not served; 0: any free port.
   */
  grpc: z
    .object({ host: z.string().default('127.0.0.1'), port: z.int().min(0).max(65_535).nullable().default(9001) })
    .prefault({}),
  /** Client API keys: when any is set, every `/v2` route but the health probes needs `authorization: Bearer <key>`. */
  auth: z
    .object({
      // The environment gives one comma-separated string; flags and files give a list.
      // A key is a string, or `{ key, rateLimit }` for a key with a limit of its own.
      apiKeys: z
        .preprocess(
          (v) => (typeof v === 'string' ? v.split(',').map((k) => k.trim()).filter(Boolean) : v),
          z.array(z.union([z.string().min(8), z.object({ key: z.string().min(8), rateLimit: RateLimitSchema.optional() })])),
        )
        .default([]),
      /**
       * Every API key's rate limit (a token bucket per key; without keys, per client address): over it,
       * 429 IM_RATE_LIMITED with Retry-After. A key's own `rateLimit` wins. Absent: no limit.
       */
      rateLimit: RateLimitSchema.optional(),
      /** Leave `/metrics` open without a key (for a scraper on a private network); with keys set it is guarded otherwise. */
      openMetrics: z.boolean().default(false),
    })
    .prefault({}),
  /** Where workers dial in to register. Set `port: null` to accept no incoming workers. */
  workerListen: z
    .object({ host: z.string().default('127.0.0.1'), port: z.int().min(0).max(65_535).nullable().default(9100) })
    .prefault({}),
  /** Workers the coordinator dials (reconnecting with backoff). */
  workers: z.array(PeerAddressSchema).default([]),
  /**
   * Workers on threads of this process (one machine: no worker process, no socket, no encoding), beside
   * any remote ones and behind the same lanes and balancers. 0: none.
   */
  embedded: z
    .object({
      workers: z.int().min(0).max(64).default(0),
      /**
       * Models served inline, on the coordinator's own thread, by one more embedded worker: no hand-over
       * between threads and no copy per batch, for small models (a batch cheaper than a thread switch).
       * ONNX Runtime then runs on the HTTP thread, so a slow model belongs on `workers` threads, which
       * load every other model of `models`. Empty: none inline.
       */
      inlineModels: z.array(z.string().min(1)).default([]),
      /** The model repository they load. */
      repository: z.string().min(1).default('.infermesh/models'),
      /** Models to load; empty loads every model of the repository. */
      models: z.array(z.string().min(1)).default([]),
      /** Batches each runs at once. */
      maxConcurrency: z.int().min(1).max(1024).default(2),
      /** ONNX Runtime intra-op threads per session in each, the inline one included (more than 1: a pool thread spins between runs). */
      intraOpThreads: z.int().min(1).max(64).default(1),
    })
    .prefault({}),
  /** Shared secret of the worker channel; workers must present the same. Prefer `secretFile`: a flag shows in `ps`. */
  secret: z.string().min(8).optional(),
  /** A file (mode 0600) holding the shared secret of the worker channel. */
  secretFile: z.string().min(1).optional(),
  /**
   * Per-worker credentials of the worker listener: a YAML file (mode 0600) of `worker-id: token` (or
   * `worker-id: sha256:<hex>`). A worker joins only with its own token and under its own id. Re-read on
   * SIGHUP and when the file changes; a worker whose token is removed or changed is disconnected.
   */
  workerCredentials: z.string().min(1).optional(),
  /**
   * Run the worker channel without credentials. Refused unless the worker listener and every dialled
   * worker are on loopback: without credentials any process that reaches the port can join as a worker.
   */
  insecureWorkers: z.boolean().default(false),
  /**
   * TLS of the worker channel (`wss`), PEM files: `cert`/`key` served by the worker listener and shown to
   * the workers it dials when they ask; `ca` checks the dialled workers' certificates (and, with `mutual`,
   * the client certificates of workers that dial in: then a certificate's CN must be the worker's id).
   * Mutual TLS, or a `ca` for dialled workers, authenticates workers without a secret.
   */
  workerTls: ChannelTlsSchema.optional(),
  /**
   * Many coordinators: `etcd` (endpoints, key prefix, lease TTL) turns on membership in etcd. The
   * coordinator watches the workers registered there and dials each it has no channel to; a worker whose
   * lease is lost leaves. Absent: no etcd (one coordinator, today's behaviour).
   */
  cluster: z
    .object({
      etcd: ClusterEtcdSchema.optional(),
      /** This coordinator's name in the cluster (its candidacy for placement leader, its status). */
      id: z.string().min(1).max(128).default(`coordinator-${hostname()}-${process.pid}`),
      /**
       * The placement leader's reconciliation of `replicas` asks (with etcd only): besides every change of
       * the pool, one every `intervalMs`; a worker that failed to load a model is not asked again for `retryAfterMs`.
       */
      placement: z
        .object({
          intervalMs: z.int().min(100).max(3_600_000).default(5_000),
          retryAfterMs: z.int().min(0).max(3_600_000).default(30_000),
        })
        .prefault({}),
    })
    .prefault({}),
  limits: z
    .object({
      /** Largest HTTP body, WebSocket frame or gRPC request message. */
      bodyBytes: z.int().min(1024).max(1024 * MiB).default(8 * MiB),
      /** Most tensor elements in one request. */
      maxElements: z.int().min(1).default(4 * MiB),
      /** Requests served at once; beyond it 429 IM_OVERLOADED. */
      maxInFlight: z.int().min(1).default(4096),
      /** Requests one WebSocket client connection may have in flight. */
      maxInFlightPerConnection: z.int().min(1).default(1024),
      /** Longest a request may take end to end. */
      requestTimeoutMs: z.int().min(1).max(3_600_000).default(30_000),
    })
    .prefault({}),
  async: z
    .object({
      /** Finished async results kept. */
      maxEntries: z.int().min(1).default(10_000),
      /** How long a finished async result can be fetched. */
      ttlMs: z.int().min(1_000).default(600_000),
      /** Async requests running at once; beyond it 429 IM_OVERLOADED. */
      maxPending: z.int().min(1).default(1_024),
      /**
       * Share async results through this Redis server (`redis://host:port`): a request submitted to one
       * coordinator is fetched from any other. Absent: results live in this coordinator's memory only.
       */
      redisUrl: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').optional(),
    })
    .prefault({}),
  /**
   * How the coordinator connects to Redis, the same for the `redis` cache tier and shared async results:
   * `ca`, a PEM file that verifies the server of a `rediss://` URL (absent: the system trust store);
   * `passwordFile`, a file (mode 0600) holding the password (`requirepass`), unless the URL carries one.
   */
  redis: z
    .object({ ca: z.string().min(1).optional(), passwordFile: z.string().min(1).optional() })
    .prefault({}),
  /** Dynamic batching of requests per model version (policy from each model's spec). */
  batching: z
    .object({
      /** `off` sends every request alone: the baseline the batching bench compares against. */
      enabled: z.preprocess((v) => (v === 'off' ? false : v === 'on' ? true : v), z.boolean()).default(true),
      /** Overrides every model's `batching.maxDelayMs`. */
      maxDelayMs: z.number().min(0).max(60_000).optional(),
    })
    .prefault({}),
  /** The response cache (only for models that are deterministic and have `cache.enabled`). */
  cache: z
    .object({
      tier: z.enum(['off', 'memory', 'sqlite', 'redis']).default('memory'),
      /** Answers kept in memory (the near cache in front of SQLite or Redis, too). */
      maxEntries: z.int().min(1).default(10_000),
      maxBytes: z.int().min(1024).default(256 * MiB),
      /** The SQLite file of the `sqlite` tier: answers survive a restart. */
      file: z.string().min(1).default('.infermesh/cache.sqlite'),
      /** The Redis server of the `redis` tier, shared by several coordinators. */
      redisUrl: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
      /** Caps every model's `cache.ttlMs`. */
      ttlMs: z.int().min(1).optional(),
    })
    .prefault({}),
  /**
   * Where requests for a model go when no healthy worker serves it: another version or a default
   * model, `{ 'mlp:2': 'mlp:1', sentiment: default }`; keys and targets are `name` or `name:version`.
   */
  fallbacks: z
    .preprocess(
      // From flags: a list of `from=to`.
      (v) => (Array.isArray(v) ? Object.fromEntries(v.map((s) => String(s).split('=', 2))) : v),
      z.record(TargetSchema, TargetSchema),
    )
    .default({})
    .transform((r): Fallback[] => Object.entries(r).map(([from, to]) => ({ from: modelRef(from), to: modelRef(to) }))),
  /**
   * Where each model's pre- and post-processing run. `colocated`: on the model worker, in the same
   * call as the model. `disaggregated`: on processors (workers started with `--role processor`), each
   * stage its own batch, balanced and health-checked like the model workers. A model without steps
   * always runs co-located. The answer is the same either way.
   */
  placement: z
    .object({
      default: z.enum(PLACEMENTS).default('colocated'),
      /** A placement for some models by name: `{ sentiment: disaggregated }`. */
      models: z.record(z.string(), z.enum(PLACEMENTS)).default({}),
    })
    .prefault({}),
  /** How a worker is chosen for each batch among those serving the model (or its shard). */
  balancer: z
    .object({
      strategy: z.enum(STRATEGY_NAMES).default('least-connections'),
      /** A strategy for some models by name: `{ mlp: 'least-latency' }`. */
      models: z.record(z.string(), z.enum(STRATEGY_NAMES)).default({}),
      /** Active checks: a `describe` call on the worker channel. */
      health: z
        .object({
          intervalMs: z.int().min(50).default(2_000),
          timeoutMs: z.int().min(10).default(1_000),
          unhealthyThreshold: z.int().min(1).default(2),
          healthyThreshold: z.int().min(1).default(2),
        })
        .prefault({}),
      /** Passive outlier detection: consecutive worker failures eject a worker for a growing time. */
      outlier: z
        .object({
          consecutiveFailures: z.int().min(1).default(5),
          baseEjectionMs: z.int().min(1).default(10_000),
          maxEjectionMs: z.int().min(1).default(120_000),
          maxEjectionPercent: z.number().min(0).max(100).default(50),
        })
        .prefault({}),
      /** Below this percentage of healthy workers, balance over all of them (Envoy's panic mode). */
      panicThreshold: z.number().min(0).max(100).default(50),
      /** A new or recovered worker's share ramps up over this long. 0: at once. */
      slowStartMs: z.int().min(0).default(0),
      /** Retries on another worker, as a fraction of recent batches plus a floor per second. */
      retryBudget: z
        .object({ percentCanRetry: z.number().min(0).max(1).default(0.2), minRetriesPerSecond: z.number().min(0).default(10) })
        .prefault({}),
    })
    .prefault({}),
  /**
   * Traces, metrics and the dashboard. Sampled traces go to an in-memory store, and to an OTLP collector
   * when `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` is set (the standard `OTEL_*` variables configure tracing).
   */
  telemetry: z
    .object({
      /** Traces kept for `GET /v2/traces/{id}`, least recently used evicted first. */
      traceStoreSize: z.int().min(1).max(1_000_000).default(1000),
    })
    .prefault({}),
  /** Request logs and per-component log levels (the process-wide level is `logLevel`). */
  logging: z
    .object({
      /** Share of successful requests that get an access-log line (0..1); failed ones always do. */
      accessSample: z.number().min(0).max(1).default(1),
      /**
       * Load refusals (429: IM_OVERLOADED, IM_RATE_LIMITED) beyond the first of each code in this many ms are
       * counted into one summary line per code (`requests refused`, `count`) instead of a line each: under
       * overload a line per refusal costs the CPU the refusal saves. 0: a line for every refusal.
       */
      refusalSummaryMs: z.int().min(0).max(3_600_000).default(1000),
      /** Successful requests' access lines wait at most this long (ms) to go out together (8 KiB at once; other lines take them along); 0: each at once. */
      flushMs: z.int().min(0).max(60_000).default(100),
      /** Level per component, overriding `logLevel`: `access` (request lines), `http`, `grpc` (their error records). */
      levels: z.partialRecord(z.enum(['access', 'http', 'grpc']), z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])).default({}),
    })
    .prefault({}),
  /** How long a worker id ejected for breaking its model's declared outputs is refused when it comes back. */
  workerQuarantineMs: z.int().min(0).max(86_400_000).default(600_000),
  /** Heartbeat interval on the worker channel; a silent worker is dropped after about two. */
  heartbeatMs: z.int().min(100).max(600_000).default(5_000),
  /**
   * Grace period of SIGTERM / SIGINT: how long in-flight requests, queued batches and pending async
   * requests get to finish after new work is refused, before the process exits anyway.
   */
  drainTimeoutMs: z.int().min(0).max(600_000).default(10_000),
  /** On SIGTERM readiness turns 503 at once; requests are still served this long so a load balancer can notice. */
  preStopDelayMs: z.int().min(0).max(600_000).default(0),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Processes that serve the client API (node:cluster): each a whole coordinator with its own lanes,
   * embedded workers and inline models, sharing the HTTP and gRPC ports; one more process supervises
   * them (process-group.ts). For a machine with cores to spare: one process's event loop is one core.
   */
  processes: z.int().min(1).max(64).default(1),
}).superRefine((c, ctx) => {
  // Each process of a group listens for workers on a port of its own, from `port` up (process-group.ts);
  // port 0 gives each a free port of its own.
  if (c.processes > 1 && c.workerListen.port !== null && c.workerListen.port + c.processes - 1 > 65_535) {
    ctx.addIssue({ code: 'custom', path: ['workerListen', 'port'], message: `the ${c.processes} processes' worker ports (${c.workerListen.port} up) pass 65535` });
  }
  // Only the Redis URLs in use: the cache tier's URL has a default even when the tier is not redis.
  const used = [...(c.async.redisUrl === undefined ? [] : [['async', c.async.redisUrl] as const]), ...(c.cache.tier === 'redis' ? [['cache', c.cache.redisUrl] as const] : [])];
  for (const [section, url] of used) {
    if (c.redis.ca !== undefined && !url.startsWith('rediss://')) {
      ctx.addIssue({ code: 'custom', path: [section, 'redisUrl'], message: 'a Redis CA (--redis-ca) is given but this URL is redis://: use rediss://' });
    }
    if (c.redis.passwordFile !== undefined && /^rediss?:\/\/[^/@]*:[^/@]*@/.test(url)) {
      ctx.addIssue({ code: 'custom', path: [section, 'redisUrl'], message: 'give the Redis password in the URL or in --redis-password-file, not both' });
    }
  }
});
export type CoordinatorConfig = z.infer<typeof CoordinatorConfigSchema>;

export const COORDINATOR_FLAGS: FlagTable = {
  'listen-host': { path: 'http.host', type: 'string', description: 'HTTP and client WebSocket address' },
  'listen-port': { path: 'http.port', type: 'number', short: 'p', description: 'HTTP and client WebSocket port (0: any free port)' },
  'grpc-host': { path: 'grpc.host', type: 'string', description: 'gRPC (inference.GRPCInferenceService) address' },
  'grpc-port': { path: 'grpc.port', type: 'number', off: true, description: 'gRPC port (0: any free port; off: no gRPC)' },
  'worker-host': { path: 'workerListen.host', type: 'string', description: 'address workers dial in on' },
  'worker-port': { path: 'workerListen.port', type: 'number', off: true, description: 'port workers dial in on (0: any free port; off: none dial in; with --processes N, process i takes port + i - 1)' },
  worker: { path: 'workers', type: 'list', description: 'worker address to dial (host:port or ws:// URL; repeat)' },
  'embedded-workers': { path: 'embedded.workers', type: 'number', description: 'workers on threads of this process (0: none)' },
  'embedded-inline-model': { path: 'embedded.inlineModels', type: 'list', description: 'model served inline on the HTTP thread, not on a worker thread (repeat): small models' },
  'embedded-repository': { path: 'embedded.repository', type: 'string', description: 'model repository of the embedded workers' },
  'embedded-model': { path: 'embedded.models', type: 'list', description: 'model the embedded workers load (repeat; default: all)' },
  'embedded-max-concurrency': { path: 'embedded.maxConcurrency', type: 'number', description: 'batches each embedded worker runs at once' },
  'embedded-intra-op-threads': { path: 'embedded.intraOpThreads', type: 'number', description: 'ONNX Runtime intra-op threads per session of an embedded worker, inline ones included (2+: a lone request is answered sooner, for a core kept spinning)' },
  'api-key': { path: 'auth.apiKeys', type: 'list', description: 'client API key (repeat; or INFERMESH_API_KEYS, comma-separated)' },
  'tls-cert': { path: 'http.tls.cert', type: 'string', description: 'PEM certificate: serve the client API over TLS (with --tls-key)' },
  'tls-key': { path: 'http.tls.key', type: 'string', description: 'PEM private key of --tls-cert' },
  secret: { path: 'secret', type: 'string', description: 'shared secret of the worker channel (or INFERMESH_SECRET; --secret-file keeps it out of ps)' },
  'secret-file': { path: 'secretFile', type: 'string', description: 'file (mode 0600) holding the shared secret of the worker channel (or INFERMESH_SECRET_FILE)' },
  'worker-credentials': { path: 'workerCredentials', type: 'string', description: 'YAML file (0600) of worker-id: token, per-worker credentials of the worker listener (re-read on SIGHUP and change)' },
  'worker-tls-cert': { path: 'workerTls.cert', type: 'string', description: 'PEM certificate of the worker channel: serve wss to workers (with --worker-tls-key)' },
  'worker-tls-key': { path: 'workerTls.key', type: 'string', description: 'PEM private key of --worker-tls-cert' },
  'worker-tls-ca': { path: 'workerTls.ca', type: 'string', description: 'PEM CA that workers\' certificates must chain to (wss to dialled workers; client certificates with --worker-tls-mutual)' },
  'worker-tls-mutual': { path: 'workerTls.mutual', type: 'boolean', description: 'mutual TLS: workers that dial in need a client certificate from --worker-tls-ca (CN = worker id)' },
  etcd: { path: 'cluster.etcd.endpoints', type: 'list', description: 'etcd endpoint (http://host:2379, https:// with --etcd-ca; repeat): membership of many coordinators' },
  'cluster-id': { path: 'cluster.id', type: 'string', description: 'this coordinator\'s name in the cluster (placement election, status)' },
  'etcd-prefix': { path: 'cluster.etcd.prefix', type: 'string', description: 'etcd key prefix of this cluster (default /infermesh/)' },
  'placement-interval-ms': { path: 'cluster.placement.intervalMs', type: 'number', description: 'the placement leader reconciles replicas at least this often (etcd only)' },
  'lease-ttl-s': { path: 'cluster.etcd.leaseTtlS', type: 'number', description: 'etcd lease TTL, seconds: a lost worker leaves within it' },
  'etcd-ca': { path: 'cluster.etcd.tls.ca', type: 'string', description: 'PEM CA of etcd\'s server certificate (required by https:// endpoints)' },
  'etcd-cert': { path: 'cluster.etcd.tls.cert', type: 'string', description: 'PEM client certificate for etcd\'s --client-cert-auth (with --etcd-key)' },
  'etcd-key': { path: 'cluster.etcd.tls.key', type: 'string', description: 'PEM private key (mode 0600) of --etcd-cert' },
  'etcd-user': { path: 'cluster.etcd.auth.username', type: 'string', description: 'etcd RBAC user (with --etcd-password-file)' },
  'etcd-password-file': { path: 'cluster.etcd.auth.passwordFile', type: 'string', description: 'file (mode 0600) holding the password of --etcd-user' },
  'insecure-workers': { path: 'insecureWorkers', type: 'boolean', description: 'accept workers without credentials (loopback only)' },
  'body-limit': { path: 'limits.bodyBytes', type: 'number', description: 'largest HTTP body, WebSocket frame or gRPC message, bytes' },
  'max-in-flight': { path: 'limits.maxInFlight', type: 'number', description: 'requests served at once before 429' },
  'request-timeout-ms': { path: 'limits.requestTimeoutMs', type: 'number', description: 'longest a request may take' },
  batching: { path: 'batching.enabled', type: 'string', description: 'on|off: dynamic batching of requests per model' },
  'max-delay-ms': { path: 'batching.maxDelayMs', type: 'number', description: 'longest a request waits for its batch to fill (all models)' },
  fallback: { path: 'fallbacks', type: 'list', description: 'from=to: where a model\'s requests go when no healthy worker serves it (repeat)' },
  cache: { path: 'cache.tier', type: 'string', description: 'response cache: off|memory|sqlite|redis' },
  'cache-file': { path: 'cache.file', type: 'string', description: 'SQLite file of the sqlite cache tier' },
  'cache-redis': { path: 'cache.redisUrl', type: 'string', description: 'Redis URL of the redis cache tier' },
  'async-redis': { path: 'async.redisUrl', type: 'string', description: 'Redis URL: share async results with other coordinators' },
  'redis-ca': { path: 'redis.ca', type: 'string', description: 'PEM CA of the Redis servers\' certificates (rediss:// URLs; default: the system trust store)' },
  'redis-password-file': { path: 'redis.passwordFile', type: 'string', description: 'file (mode 0600) holding the Redis password (cache tier and async results), unless the URL has one' },
  'cache-ttl-ms': { path: 'cache.ttlMs', type: 'number', description: 'caps every model\'s cache TTL' },
  placement: { path: 'placement.default', type: 'string', description: 'colocated|disaggregated: where pre- and post-processing run (all models)' },
  balancer: { path: 'balancer.strategy', type: 'string', description: `worker choice: ${STRATEGY_NAMES.join('|')}` },
  'health-interval-ms': { path: 'balancer.health.intervalMs', type: 'number', description: 'active worker health check interval' },
  'heartbeat-ms': { path: 'heartbeatMs', type: 'number', description: 'worker channel heartbeat interval' },
  'worker-quarantine-ms': { path: 'workerQuarantineMs', type: 'number', description: 'how long a worker ejected for breaking its model\'s outputs is refused' },
  'trace-store-size': { path: 'telemetry.traceStoreSize', type: 'number', description: 'traces kept for GET /v2/traces/{id}' },
  'headers-timeout-ms': { path: 'http.headersTimeoutMs', type: 'number', description: 'longest a client may take to send request headers (408 after)' },
  'receive-timeout-ms': { path: 'http.receiveTimeoutMs', type: 'number', description: 'longest a client may take to send a whole request (408 after)' },
  'keep-alive-timeout-ms': { path: 'http.keepAliveTimeoutMs', type: 'number', description: 'idle kept-alive connections are closed after this long' },
  'max-connections': { path: 'http.maxConnections', type: 'number', description: 'open client connections at most' },
  'rate-limit': { path: 'auth.rateLimit.perSecond', type: 'number', description: 'requests a second per API key (per client address without keys); 429 IM_RATE_LIMITED over it' },
  'rate-limit-burst': { path: 'auth.rateLimit.burst', type: 'number', description: 'requests at once per API key before the rate limit applies (default: --rate-limit)' },
  'metrics-open': { path: 'auth.openMetrics', type: 'boolean', description: '/metrics needs no API key even when keys are set' },
  'drain-timeout-ms': { path: 'drainTimeoutMs', type: 'number', description: 'grace period on SIGTERM for in-flight work' },
  'pre-stop-delay-ms': { path: 'preStopDelayMs', type: 'number', description: 'on SIGTERM, serve this long with readiness 503 before refusing work' },
  processes: { path: 'processes', type: 'number', description: 'processes serving the client API, sharing its ports (each with its own lanes and embedded workers)' },
  'log-level': { path: 'logLevel', type: 'string', description: 'fatal|error|warn|info|debug|trace|silent' },
  'access-log-sample': { path: 'logging.accessSample', type: 'number', description: 'share (0..1) of successful requests logged; failures always are' },
  'log-flush-ms': { path: 'logging.flushMs', type: 'number', description: 'the longest a successful request\'s access line waits to be written with the next ones; 0: each at once' },
  'access-log-refusal-summary-ms': { path: 'logging.refusalSummaryMs', type: 'number', description: 'load refusals (429) after the first of a code in this window are counted into one summary line; 0: a line each' },
};
