import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import { ConfigError, loadProgramConfig } from '@infermesh/config';
import { modelVersionKey, WORKER_REFUSED_CLOSE_CODE, workerProtocol, type AsyncStatus, type WorkerInfo, type WorkerProtocol } from '@infermesh/contracts';
import { ModelRegistry } from '@infermesh/registry';
import { loadHash } from '@infermesh/router';
import { dial, listen, secureUrl, type Peer } from '@infermesh/transport';
import { componentLogger, createLogger, logLevelsFromEnv, type MetricsSnapshot, type StoredTrace } from '@infermesh/telemetry';
import { createStore } from '@infermesh/kvstore';
import { listenAs, stopWithParent, tuneHeapForServing } from '@infermesh/foundation';
import { AsyncJobs, type StoredJob } from './async-jobs.js';
import { ClientAuth } from './client-auth.js';
import type { ClusterMembership } from './cluster-membership.js';
import { redisConnection } from './redis-connection.js';
import { attachClientSocket } from './client-socket.js';
import { loadClientTls } from './client-tls.js';
import { COORDINATOR_FLAGS, CoordinatorConfigSchema } from './config.js';
import { CoordinatorTelemetry } from './coordinator-telemetry.js';
import type { GrpcApi } from './grpc-api.js';
import { buildHttpApi } from './http-api.js';
import { InferenceService } from './inference-service.js';
import { LaneTable } from './lanes.js';
import { ModelRepositoryControl } from './model-repository-control.js';
import { ModelStatistics } from './model-statistics.js';
import { groupWorkerPorts, ProcessSiblings, superviseProcesses, type SiblingQuestion } from './process-group.js';
import { RateLimits } from './rate-limits.js';
import { ReplicaReconciler } from './replica-reconciler.js';
import { ResponseCache } from './response-cache.js';
import { shutDown } from './shutdown.js';
import { workerChannelAuth } from './worker-channel-auth.js';
import { WorkerChannelError } from './worker-channel-error.js';
import { WorkerPool } from './worker-pool.js';

const USAGE = 'usage: coordinator [--config FILE] [--listen-port N] [--grpc-port N] [--secret-file FILE | --worker-credentials FILE | --insecure-workers] [--worker-tls-cert F --worker-tls-key F [--worker-tls-ca F] [--worker-tls-mutual]] [--worker HOST:PORT]... [--etcd URL] [--access-log-sample R]  (tracing: OTEL_* variables; log levels per component: INFERMESH_LOG_LEVELS=access=warn,...)';
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;


// Before the program serves: V8 flags of a serving process (see serving-heap.ts).
tuneHeapForServing();

async function main(): Promise<void> {
  const config = loadProgramConfig(process.argv.slice(2), {
    schema: CoordinatorConfigSchema, flags: COORDINATOR_FLAGS, usage: USAGE, section: 'coordinator', env: { secret: 'INFERMESH_SECRET', secretFile: 'INFERMESH_SECRET_FILE', 'auth.apiKeys': 'INFERMESH_API_KEYS' },
  });
  if (!config) return;
  if (config.processes > 1 && cluster.isPrimary) {
    // This process supervises; the forked ones serve (process-group.ts), each parsing the same flags.
    const log = createLogger({ level: config.logLevel, flushMs: config.logging.flushMs, name: 'coordinator', base: { role: 'coordinator', process: 0 } });
    if (config.workerListen.port !== null) {
      const ports = groupWorkerPorts(config.workerListen.port, config.processes);
      log.info({ host: config.workerListen.host, ports }, 'worker channel: a port per process; a worker joins the group by dialling each');
    }
    process.exit(await superviseProcesses({ processes: config.processes, log }));
  }
  const siblings = ProcessSiblings.ofThisProcess();
  const log = createLogger({ level: config.logLevel, flushMs: config.logging.flushMs, name: 'coordinator', base: { role: 'coordinator', ...(siblings ? { process: siblings.index } : {}) } });
  // Each process of a group is a coordinator of its own in the cluster (membership, election).
  const clusterId = siblings ? `${config.cluster.id}-${siblings.index}` : config.cluster.id;
  // Decided before anything listens: a coordinator that would take any process as a worker does not start.
  const channelAuth = workerChannelAuth({
    secret: config.secret, secretFile: config.secretFile, workerCredentials: config.workerCredentials,
    insecureWorkers: config.insecureWorkers, listenHost: config.workerListen.port === null ? undefined : config.workerListen.host,
    dials: config.workers, tls: config.workerTls, discovers: config.cluster.etcd !== undefined,
  });
  if (channelAuth.mode === 'insecure') log.warn({ code: 'IM_WORKER_CHANNEL_INSECURE' }, 'worker channel without credentials (--insecure-workers): any local process can join as a worker');
  // Per-component levels: the config's, then INFERMESH_LOG_LEVELS (e.g. `access=warn,grpc=debug`) over them.
  const levels = { ...config.logging.levels, ...logLevelsFromEnv(process.env) };
  const telemetry = new CoordinatorTelemetry(config.telemetry, log, { accessSample: config.logging.accessSample, refusalSummaryMs: config.logging.refusalSummaryMs, levels });
  if (telemetry.tracing.exporting) log.info({ exporting: telemetry.tracing.exporting, sampler: telemetry.tracing.sampler }, 'tracing');

  const registry = new ModelRegistry();
  const pool = new WorkerPool(registry, { quarantineMs: config.workerQuarantineMs });
  const statistics = new ModelStatistics();
  // Set below, once the cache is open: a worker ejected before that has nothing in it.
  let dropCachedFrom: (connection: string) => void = () => undefined;
  const lanes = new LaneTable(registry, pool, {
    placement: config.placement,
    fallbacks: config.fallbacks,
    strategy: config.balancer.strategy,
    strategies: config.balancer.models,
    health: config.balancer.health,
    outlier: config.balancer.outlier,
    panicThreshold: config.balancer.panicThreshold,
    slowStartMs: config.balancer.slowStartMs,
    retryBudget: config.balancer.retryBudget,
    hash: await loadHash(),
    batching: config.batching.enabled,
    maxDelayMs: config.batching.maxDelayMs,
    onState: (e) => {
      telemetry.onWorkerState(e.worker, e.to);
      log.info(e, 'worker state');
    },
    onBatch: telemetry.onBatch,
    statistics,
    onContractBroken: ({ lane, worker, detail }) => {
      log.error({ worker: worker.info.workerId, lane, detail, code: 'IM_WORKER_CONTRACT', peer: worker.peer.remoteAddress }, 'worker broke its model\'s contract: ejected');
      pool.eject(worker, 'IM_WORKER_CONTRACT');
      dropCachedFrom(worker.id);
    },
  });
  const cache = await ResponseCache.open({
    ...config.cache, ...(config.cache.tier === 'redis' ? { redis: redisConnection(config.cache.redisUrl, config.redis) } : {}),
  });
  if (cache) dropCachedFrom = (connection) => cache.dropFrom(connection);
  const service = new InferenceService(registry, lanes, cache, { maxElements: config.limits.maxElements, maxInFlight: config.limits.maxInFlight }, statistics);
  const loadTimeoutMs = 60_000;
  const repository = new ModelRepositoryControl(registry, pool, lanes, service, {
    drainTimeoutMs: config.limits.requestTimeoutMs, loadTimeoutMs, log,
    siblings: siblings && {
      load: async (name) => void (await siblings.askAll({ kind: 'load', name }, loadTimeoutMs + 5_000)),
      unload: async (name) => void (await siblings.askAll({ kind: 'unload', name }, config.limits.requestTimeoutMs + loadTimeoutMs)),
    },
  });
  const workerStatus = () => pool.status((w) => lanes.balancing(w));
  // Placing replicas needs one leader among the coordinators, so it runs only with etcd (the election).
  let membership: ClusterMembership | undefined;
  const replicas = config.cluster.etcd === undefined ? undefined : new ReplicaReconciler(pool, repository, {
    ...config.cluster.placement, log,
    // A new leader plans once every worker registered in etcd has joined (at most one lease TTL).
    ready: () => membership?.registered.every((id) => pool.byWorkerId(id) !== undefined) ?? true,
    settleMs: config.cluster.etcd.leaseTtlS * 1000,
    onAction: (action, result) => telemetry.onPlacementAction(action.type, result),
  });
  telemetry.attach({
    workers: workerStatus, inFlight: () => service.inFlight, queueDepths: () => lanes.queueDepths(),
    healthyWorkers: () => lanes.healthyWorkers(), maxInFlight: config.limits.maxInFlight,
    replicas: () => (replicas?.status.leading ? replicas.status.models : []),
    siblings: siblings && {
      // A sibling that does not answer in time is left out of this scrape, not the reason it fails.
      snapshots: async () => (await siblings.ask({ kind: 'metrics' }, 5_000)).flatMap((a) => (a.ok ? [a.value as MetricsSnapshot] : [])),
      trace: (id) => siblings.find<StoredTrace>({ kind: 'trace', id }),
    },
  });
  const asyncStore = config.async.redisUrl === undefined ? undefined : await createStore<StoredJob>({
    // No near cache: a job's state changes, and every coordinator must see the newest one.
    tier: 'redis', redis: { ...redisConnection(config.async.redisUrl, config.redis), keyPrefix: 'infermesh:async:', nearCacheTtlMs: 0 },
  });
  const jobs = new AsyncJobs({
    ...config.async,
    // A pending marker outlives the request's deadline a little: after it, a job whose coordinator died is unknown.
    shared: asyncStore ? { store: asyncStore, pendingTtlMs: config.limits.requestTimeoutMs + 5_000 } : undefined,
    siblings: siblings && ((id, owner) => siblings.find<AsyncStatus>({ kind: 'job', id, ...(owner !== undefined ? { owner } : {}) })),
  });
  siblings?.answerWith({
    metrics: () => telemetry.snapshot(),
    load: (name) => repository.loadHere(name),
    unload: (name) => repository.unloadHere(name),
    job: (id, owner) => jobs.get(id, owner),
    trace: (id) => telemetry.trace(id),
  });
  let ready = true;
  let accepting = true;

  const admitWorker = (peer: Peer<WorkerProtocol>): void => {
    pool.join(peer).then(
      (info) => log.info({ worker: info.workerId, workerRole: info.role, models: info.models.map(modelVersionKey) }, 'worker joined'),
      (error: unknown) => {
        const code = (error as { code?: unknown })?.code;
        log.warn({ err: error, code, peer: peer.remoteAddress, identity: peer.identity }, 'worker refused');
        const reason = typeof code === 'string' ? code : 'worker refused';
        void peer.close(WORKER_REFUSED_CLOSE_CODE, reason).catch(() => undefined);
      },
    );
  };
  const onMembership = (): void => {
    telemetry.onWorkersChanged();
    log.debug({ workers: pool.size }, 'workers changed');
  };
  pool.on('joined', onMembership).on('left', onMembership).on('draining', onMembership);
  if (!replicas) {
    let told = false;
    pool.on('joined', (w) => {
      const asking = w.info.placeable.filter((p) => p.replicas !== undefined).map((p) => p.name);
      if (told || asking.length === 0) return;
      told = true;
      log.warn({ worker: w.info.workerId, models: asking }, 'models ask for replicas, but without etcd no coordinator places them: they load as each worker\'s model control says');
    });
  }

  const transportOptions = {
    protocol: workerProtocol,
    handlers: {
      drain: ({ workerId }: { workerId: string }, { peer }: { peer: { id: string } }) => {
        log.info({ worker: workerId }, 'worker draining');
        return { accepted: pool.drain(peer.id) };
      },
      // A worker loaded or dropped a model (whoever asked): follow it now, not at the next health check.
      changed: (info: WorkerInfo, { peer }: { peer: { id: string } }) => {
        pool.update(peer.id, info);
        return {};
      },
    },
    heartbeatIntervalMs: config.heartbeatMs,
    maxPayloadBytes: config.limits.bodyBytes * 2,
  };
  const closers: Array<() => Promise<void>> = [];
  const credentials = channelAuth.credentials;
  if (credentials) {
    // Revocation without a restart: a removed or changed token closes its worker's live connection.
    credentials.on('reloaded', ({ workers, revoked }) => {
      log.info({ file: credentials.file, workers, revoked }, 'worker credentials reloaded');
      for (const worker of pool.withIdentity(new Set(revoked))) {
        log.warn({ worker: worker.info.workerId, code: 'IM_WORKER_REVOKED' }, 'worker credential revoked: disconnecting it');
        void worker.peer.close(WORKER_REFUSED_CLOSE_CODE, 'IM_WORKER_REVOKED').catch(() => undefined);
      }
    });
    credentials.on('error', (error) => log.error({ err: error, file: credentials.file }, 'worker credentials not reloaded: the previous ones stay'));
    credentials.watch();
    process.on('SIGHUP', () => credentials.reload());
    closers.push(async () => credentials.close());
    log.info({ file: credentials.file, workers: credentials.size }, 'worker credentials loaded');
  }
  if (config.workerListen.port !== null) {
    const port = siblings ? siblings.workerPort(config.workerListen.port) : config.workerListen.port;
    // A group's process binds its own port (`exclusive`): through the primary, port 0 would be one port for all.
    const server = await listenAs({ what: 'the worker channel', flag: '--worker-port', host: config.workerListen.host, port }, () =>
      listen({ ...transportOptions, ...channelAuth.listen, host: config.workerListen.host, port, exclusive: siblings !== undefined }));
    server.on('connection', admitWorker);
    closers.push(() => server.close());
    log.info({ port: server.port, host: config.workerListen.host, tls: channelAuth.listen.tls !== undefined, mutual: channelAuth.listen.tls?.clientCa !== undefined }, 'worker channel listening');
  }
  for (const url of channelAuth.dials) {
    const peer = dial(url, { ...transportOptions, ...channelAuth.dial });
    peer.on('open', () => admitWorker(peer));
    closers.push(() => peer.close());
  }

  if (config.cluster.etcd) {
    const etcd = config.cluster.etcd;
    // Loaded only for a cluster: a coordinator without etcd does not load the etcd client (docs/design.md, start-up).
    const { ClusterMembership } = await import('./cluster-membership.js');
    membership = new ClusterMembership({
      etcd,
      id: clusterId,
      connected: (workerId) => pool.byWorkerId(workerId) !== undefined,
      dial: (url, workerId) => {
        const peer = dial(channelAuth.dial.tls ? secureUrl(url) : url, { ...transportOptions, ...channelAuth.dial });
        peer.on('open', () => admitWorker(peer));
        peer.on('reconnecting', ({ attempt, error }) => {
          if (attempt === 1) log.warn({ worker: workerId, url, err: error }, 'registered worker unreachable: retrying');
        });
        return peer;
      },
    });
    membership
      .on('dialling', (e) => log.info(e, 'registered worker: dialling'))
      .on('removed', (e) => {
        // Out of every lane now: closing a channel whose link is gone waits for a closing handshake that never comes.
        const worker = pool.byWorkerId(e.workerId);
        if (worker) pool.leave(worker.id);
        log.warn(e, 'worker lease lost: removed');
      })
      .on('degraded', (error) => log.warn({ err: error }, 'etcd unreachable: keeping the last membership'))
      .on('recovered', () => log.info({ workers: membership?.registered.length }, 'etcd reachable again'))
      .on('invalid', ({ key, error }) => log.warn({ key, err: error }, 'etcd entry is not a worker: skipped'))
      .on('elected', () => {
        log.info({ id: clusterId }, 'placement leader');
        replicas?.start();
      })
      .on('deposed', (error) => {
        replicas?.stop();
        log.warn({ id: clusterId, err: error }, 'placement leadership lost');
      });
    await membership.ready();
    closers.push(async () => {
      replicas?.stop();
      await membership!.close();
    });
    log.info({ endpoints: etcd.endpoints, prefix: etcd.prefix, leaseTtlS: etcd.leaseTtlS, degraded: membership.degraded !== undefined }, 'cluster membership on etcd');
  }

  if (config.embedded.workers > 0 || config.embedded.inlineModels.length > 0) {
    // Loaded only with embedded workers: a coordinator of remote workers never loads the host, the runtimes
    // and onnxruntime's native library (7 MB of resident memory).
    const { startEmbeddedWorkers } = await import('./embedded-workers.js');
    closers.push(await startEmbeddedWorkers(config.embedded, transportOptions.handlers, admitWorker, siblings ? `p${siblings.index}-` : ''));
    log.info({ workers: config.embedded.workers, inlineModels: config.embedded.inlineModels, repository: config.embedded.repository }, 'embedded workers started');
  }

  const keys = config.auth.apiKeys.map((k) => (typeof k === 'string' ? k : k.key));
  const auth = keys.length > 0 ? new ClientAuth(keys, { openMetrics: config.auth.openMetrics }) : undefined;
  const rateLimits = new RateLimits({
    default: config.auth.rateLimit,
    perKey: new Map(config.auth.apiKeys.flatMap((k, i) => (typeof k !== 'string' && k.rateLimit ? [[i, k.rateLimit] as const] : []))),
    clock: { now: () => performance.now() },
  });
  const tls = loadClientTls(config.http.tls);
  const app = buildHttpApi({
    service, repository, pool, lanes, jobs, cache, log: componentLogger(log, 'http', levels), telemetry, auth, rateLimits, bodyLimitBytes: config.limits.bodyBytes, version: VERSION,
    ready: () => ready, accepting: () => accepting, requestTimeoutMs: config.limits.requestTimeoutMs, https: tls,
    cluster: () => (membership ? { id: clusterId, leader: membership.isLeader, registered: membership.registered, placement: replicas?.status } : undefined),
    degraded: () => (membership?.degraded ? [`membership: etcd unreachable (${membership.degraded.message}); serving the last known workers`] : []),
    server: config.http,
  });
  const clients = attachClientSocket(app.server, {
    service,
    telemetry: telemetry.requests,
    path: '/v2/ws',
    maxPayloadBytes: config.limits.bodyBytes,
    maxInFlightPerConnection: config.limits.maxInFlightPerConnection,
    accepting: () => accepting,
    requestTimeoutMs: config.limits.requestTimeoutMs,
    auth,
    rateLimits,
  });
  await listenAs({ what: 'the client API', flag: '--listen-port', host: config.http.host, port: config.http.port }, () => app.listen({ host: config.http.host, port: config.http.port }));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  // The launcher and tests read this line to learn the port when 0 was asked for.
  log.info({ port, host: config.http.host }, 'coordinator listening');
  let grpcApi: GrpcApi | undefined;
  if (config.grpc.port !== null) {
    // Loaded only when serving gRPC (`--grpc-port off` skips grpc-js and the .proto, about 0.1 s of a start).
    const { buildGrpcApi } = await import('./grpc-api.js');
    const api = buildGrpcApi({
      service, lanes, repository, telemetry: telemetry.requests, log: componentLogger(log, 'grpc', levels), version: VERSION, auth, rateLimits, tls, ready: () => ready, accepting: () => accepting,
      requestTimeoutMs: config.limits.requestTimeoutMs, maxMessageBytes: config.limits.bodyBytes,
    });
    grpcApi = api;
    const { host, port } = config.grpc;
    const grpcPort = await listenAs({ what: 'gRPC', flag: '--grpc-port', host, port }, () => api.listen(host, port));
    // The launcher and tests read this line to learn the gRPC port.
    log.info({ port: grpcPort, host: config.grpc.host, tls: tls !== undefined }, 'grpc listening');
  }
  siblings?.serving();

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inFlight: service.inFlight, asyncPending: jobs.pending }, 'coordinator stopping');
    // gRPC stops taking calls when HTTP does; its calls in flight get the same grace, then are cancelled.
    let grpcClosed: Promise<boolean> = Promise.resolve(true);
    const finished = await shutDown(
      {
        server: app.server,
        markNotReady: () => (ready = false),
        stopAccepting: () => {
          accepting = false;
          if (grpcApi) grpcClosed = grpcApi.close(config.drainTimeoutMs);
          log.info({ inFlight: service.inFlight }, 'coordinator draining');
        },
        drainQueues: () => lanes.drain(),
        idle: () => service.inFlight === 0 && jobs.pending === 0,
        closeSockets: () => {
          for (const ws of clients.clients) ws.close(1001, 'coordinator shutting down');
        },
      },
      { preStopDelayMs: config.preStopDelayMs, graceMs: config.drainTimeoutMs },
    );
    const grpcFinished = await grpcClosed;
    log.info({ finished: finished && grpcFinished, inFlight: service.inFlight, asyncPending: jobs.pending }, 'coordinator stopped');
    await app.close();
    await Promise.allSettled(closers.map((c) => c()));
    lanes.close();
    await cache?.close();
    await asyncStore?.close();
    await telemetry.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Started by a parent with an IPC channel (npm start's launcher): stop as on SIGTERM when it goes.
  stopWithParent((reason) => void stop(reason));
}

main().catch((error: unknown) => {
  // A failure with a code (an embedded worker that did not start, a worker channel without credentials) names it.
  const code = (error as { code?: unknown })?.code;
  const prefix = typeof code === 'string' && code.startsWith('IM_') && !(error instanceof ConfigError) ? `${code}: ` : '';
  process.stderr.write(`coordinator: ${prefix}${error instanceof Error ? error.message : String(error)}\n`);
  // A refused configuration (the config, a secret file, worker channel credentials) exits 2, as a bad flag does.
  const refused = error instanceof ConfigError || error instanceof WorkerChannelError || error instanceof TypeError || error instanceof RangeError;
  process.exit(refused ? 2 : 1);
});
