import { hostname, totalmem } from 'node:os';
import type { FlagTable } from '@infermesh/config';
import { ChannelTlsSchema, ClusterEtcdSchema, PeerAddressSchema, WorkerRoleSchema } from '@infermesh/contracts';
import { z } from 'zod';

export const WorkerConfigSchema = z.object({
  /** Stable name of this worker in the coordinator's status and logs. */
  id: z.string().min(1).max(128).default(`worker-${hostname()}-${process.pid}`),
  /**
   * `model`: load each model's session and run whole requests or the model stage. `processor`: run
   * only the models' pre- and post-processing, for the coordinator's disaggregated placement.
   */
  role: WorkerRoleSchema.default('model'),
  /**
   * Model repository folder (one folder per model, numbered versions inside). Absent: `.infermesh/models`,
   * or with `demoModels` the user's cache folder (`~/.cache/infermesh/models`).
   */
  repository: z.string().min(1).optional(),
  /** Write the demo models (sentiment, mlp, noop, the ocr pipeline and its stages) into the repository first (the ones present are kept). */
  demoModels: z.boolean().default(false),
  /** Models of the repository this worker holds (loads at start, may load on request); empty: every model. */
  models: z.array(z.string()).default([]),
  /**
   * `startup` (default): load every model held at start. `explicit`: load none at start; models are loaded
   * and unloaded only when the coordinator asks (`POST /v2/repository/models/{m}/load`, `/unload`), as
   * Triton's `--model-control-mode=explicit`. Load and unload requests are served in both modes.
   */
  modelControl: z.enum(['startup', 'explicit']).default('startup'),
  /** The shards this worker holds of every sharded model it loads; empty: all of them. */
  shards: z.array(z.coerce.number().int().min(0)).default([]),
  /** Where a coordinator may dial this worker. Port 0 picks a free port; absent: do not listen. */
  listen: z
    .object({ host: z.string().default('127.0.0.1'), port: z.int().min(0).max(65_535).optional() })
    .prefault({}),
  /** Coordinators this worker dials and registers with (reconnecting with backoff). */
  coordinators: z.array(PeerAddressSchema).default([]),
  /** Shared secret for the worker channel (or this worker's own token, with per-worker credentials); must match the coordinator's. */
  secret: z.string().min(8).optional(),
  /** A file (mode 0600) holding the secret, so it shows neither in `ps` nor in the environment. */
  secretFile: z.string().min(1).optional(),
  /**
   * TLS of the worker channel (`wss`), PEM files: `cert`/`key` served by the listener and presented to
   * coordinators that ask for a client certificate; `ca` checks the coordinators' certificates (and, with
   * `mutual`, the client certificates of coordinators that dial this worker's listener).
   */
  tls: ChannelTlsSchema.optional(),
  /**
   * Many coordinators: with `etcd`, the worker registers its listener's address under a lease it keeps
   * alive, and every coordinator watching the cluster dials it. `advertise`: the `host:port` (or URL)
   * coordinators dial, when it is not the listener's own (a wildcard host, NAT).
   */
  cluster: z.object({ etcd: ClusterEtcdSchema.optional(), advertise: z.string().min(1).optional() }).prefault({}),
  /** Listen without a secret or mutual TLS: any process that reaches the port could run this worker's models. Loopback only. */
  insecureCoordinators: z.boolean().default(false),
  /**
   * Memory offered to models, MiB, as the placement leader counts it (each loaded model's files' size):
   * it loads no `replicas` model onto this worker beyond it. Default: the machine's total memory.
   */
  memoryMb: z.int().min(1).max(16 * 1024 * 1024).default(Math.floor(totalmem() / 2 ** 20)),
  /** Batches run at once; the coordinator keeps no more in flight to this worker. */
  maxConcurrency: z.int().min(1).max(1024).default(4),
  /** ONNX Runtime threads per model session. */
  threads: z.object({ intraOp: z.int().min(1).max(64).default(1), interOp: z.int().min(1).max(64).default(1) }).prefault({}),
  /** Serve Prometheus metrics at `GET /metrics` on this port (0: any free port); absent: no metrics listener. */
  metricsPort: z.int().min(0).max(65_535).optional(),
  /** Interval of the worker channel's heartbeat pings. */
  heartbeatMs: z.int().min(100).max(600_000).default(5_000),
  /** On SIGTERM: how long to wait for the batches in hand after leaving rotation. */
  drainTimeoutMs: z.int().min(0).max(600_000).default(10_000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).refine((c) => c.secret === undefined || c.secretFile === undefined, {
  message: 'give the secret (--secret / INFERMESH_SECRET) or a secret file (--secret-file), not both',
  path: ['secretFile'],
}).refine((c) => c.cluster.etcd === undefined || c.listen.port !== undefined, {
  message: 'a worker registered in etcd is dialled by the coordinators: give it a port to listen on (--port)',
  path: ['listen', 'port'],
}).refine((c) => c.listen.port !== undefined || c.coordinators.length > 0, {
  message: 'a worker needs a coordinator to dial (--coordinator) or a port to listen on (--port), or both',
  path: ['coordinators'],
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

/**
 * The repository folder a worker loads: the configured one, else the demo-model cache or `.infermesh/models`.
 * `@infermesh/models` (the demo-model builders, about 0.1 s of a worker's start) is loaded only for demo models.
 */
export async function repositoryFolder(config: Pick<WorkerConfig, 'repository' | 'demoModels'>): Promise<string> {
  if (config.repository !== undefined) return config.repository;
  if (!config.demoModels) return '.infermesh/models';
  const { defaultModelCache } = await import('@infermesh/models');
  return defaultModelCache();
}

export const WORKER_FLAGS: FlagTable = {
  id: { path: 'id', type: 'string', description: 'worker name in status and logs' },
  role: { path: 'role', type: 'string', description: 'model|processor: run models, or only their pre- and post-processing' },
  repository: { path: 'repository', type: 'string', description: 'model repository folder (default .infermesh/models; with --demo-models ~/.cache/infermesh/models)' },
  'demo-models': { path: 'demoModels', type: 'boolean', description: 'write the demo models (sentiment, mlp, noop, ocr-det, ocr-rec, ocr) into the repository first, then serve them' },
  model: { path: 'models', type: 'list', description: 'model to load (repeat; default: all)' },
  shard: { path: 'shards', type: 'list', description: 'shard(s) held of each sharded model (default: all)' },
  host: { path: 'listen.host', type: 'string', description: 'address to listen on for a dialling coordinator' },
  port: { path: 'listen.port', type: 'number', short: 'p', description: 'port to listen on (0: any free port)' },
  coordinator: { path: 'coordinators', type: 'list', description: 'coordinator worker-channel address to dial (host:port or ws:// URL)' },
  secret: { path: 'secret', type: 'string', description: 'shared secret of the worker channel, or this worker\'s token (or INFERMESH_SECRET)' },
  'secret-file': { path: 'secretFile', type: 'string', description: 'file (mode 0600) holding the secret or token (or INFERMESH_SECRET_FILE)' },
  'tls-cert': { path: 'tls.cert', type: 'string', description: 'PEM certificate of the worker channel (wss listener; client certificate when dialling)' },
  'tls-key': { path: 'tls.key', type: 'string', description: 'PEM private key of --tls-cert' },
  'tls-ca': { path: 'tls.ca', type: 'string', description: 'PEM CA that coordinators\' certificates must chain to' },
  'tls-mutual': { path: 'tls.mutual', type: 'boolean', description: 'mutual TLS: coordinators that dial this worker need a client certificate from --tls-ca' },
  etcd: { path: 'cluster.etcd.endpoints', type: 'list', description: 'etcd endpoint (http://host:2379, https:// with --etcd-ca; repeat): register this worker for every coordinator' },
  'etcd-prefix': { path: 'cluster.etcd.prefix', type: 'string', description: 'etcd key prefix of the cluster (default /infermesh/)' },
  'lease-ttl-s': { path: 'cluster.etcd.leaseTtlS', type: 'number', description: 'etcd lease TTL, seconds' },
  'etcd-ca': { path: 'cluster.etcd.tls.ca', type: 'string', description: 'PEM CA of etcd\'s server certificate (required by https:// endpoints)' },
  'etcd-cert': { path: 'cluster.etcd.tls.cert', type: 'string', description: 'PEM client certificate for etcd\'s --client-cert-auth (with --etcd-key)' },
  'etcd-key': { path: 'cluster.etcd.tls.key', type: 'string', description: 'PEM private key (mode 0600) of --etcd-cert' },
  'etcd-user': { path: 'cluster.etcd.auth.username', type: 'string', description: 'etcd RBAC user (with --etcd-password-file)' },
  'etcd-password-file': { path: 'cluster.etcd.auth.passwordFile', type: 'string', description: 'file (mode 0600) holding the password of --etcd-user' },
  advertise: { path: 'cluster.advertise', type: 'string', description: 'host:port coordinators dial this worker at (default: --host:--port)' },
  'insecure-coordinators': { path: 'insecureCoordinators', type: 'boolean', description: 'listen without a secret or mutual TLS (loopback only)' },
  'model-control': { path: 'modelControl', type: 'string', description: 'startup (load every model at start) | explicit (load only on request)' },
  'memory-mb': { path: 'memoryMb', type: 'number', description: 'memory offered to models, MiB, for the placement leader (default: the machine\'s total)' },
  'max-concurrency': { path: 'maxConcurrency', type: 'number', description: 'batches run at once' },
  'intra-op-threads': { path: 'threads.intraOp', type: 'number', description: 'ONNX Runtime intra-op threads' },
  'metrics-port': { path: 'metricsPort', type: 'number', description: 'serve Prometheus metrics at GET /metrics on this port (0: any free port)' },
  'heartbeat-ms': { path: 'heartbeatMs', type: 'number', description: 'heartbeat ping interval' },
  'log-level': { path: 'logLevel', type: 'string', description: 'fatal|error|warn|info|debug|trace|silent' },
};
