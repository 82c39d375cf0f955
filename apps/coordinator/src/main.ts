import { createRequire } from 'node:module';
import { ConfigError, loadProgramConfig } from '@infermesh/config';
import { modelVersionKey, workerProtocol, type WorkerProtocol } from '@infermesh/contracts';
import { ModelRegistry } from '@infermesh/registry';
import { loadHash } from '@infermesh/router';
import { dial, listen, type Peer } from '@infermesh/transport';
import { createLogger } from '@infermesh/telemetry';
import { AsyncJobs } from './async-jobs.js';
import { ClientAuth } from './client-auth.js';
import { attachClientSocket } from './client-socket.js';
import { loadClientTls } from './client-tls.js';
import { COORDINATOR_FLAGS, CoordinatorConfigSchema } from './config.js';
import { CoordinatorTelemetry } from './coordinator-telemetry.js';
import { startEmbeddedWorkers } from './embedded-workers.js';
import { buildGrpcApi, type GrpcApi } from './grpc-api.js';
import { buildHttpApi } from './http-api.js';
import { InferenceService } from './inference-service.js';
import { LaneTable } from './lanes.js';
import { ModelRepositoryControl } from './model-repository-control.js';
import { ModelStatistics } from './model-statistics.js';
import { ResponseCache } from './response-cache.js';
import { shutDown } from './shutdown.js';
import { WorkerPool } from './worker-pool.js';

const USAGE = 'usage: coordinator [--config FILE] [--listen-port N] [--grpc-port N] [--worker HOST:PORT]... [--otlp-file FILE | --otlp-url URL]';
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;


async function main(): Promise<void> {
  const config = loadProgramConfig(process.argv.slice(2), {
    schema: CoordinatorConfigSchema, flags: COORDINATOR_FLAGS, usage: USAGE, section: 'coordinator', env: { secret: 'INFERMESH_SECRET', 'auth.apiKeys': 'INFERMESH_API_KEYS' },
  });
  if (!config) return;
  const log = createLogger({ level: config.logLevel, name: 'coordinator', base: { role: 'coordinator' } });
  const telemetry = new CoordinatorTelemetry(config.telemetry, log);

  const registry = new ModelRegistry();
  const pool = new WorkerPool(registry);
  const statistics = new ModelStatistics();
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
  });
  const cache = await ResponseCache.open(config.cache);
  const service = new InferenceService(registry, lanes, cache, { maxElements: config.limits.maxElements, maxInFlight: config.limits.maxInFlight }, statistics);
  const repository = new ModelRepositoryControl(registry, pool, lanes, service, { drainTimeoutMs: config.limits.requestTimeoutMs, log });
  const workerStatus = () => pool.status((w) => lanes.balancing(w));
  telemetry.attach({ workers: workerStatus, inFlight: () => service.inFlight, queueDepths: () => lanes.queueDepths() });
  const jobs = new AsyncJobs(config.async);
  let ready = true;
  let accepting = true;

  const admitWorker = (peer: Peer<WorkerProtocol>): void => {
    pool.join(peer).then(
      (info) => log.info({ worker: info.workerId, workerRole: info.role, models: info.models.map(modelVersionKey) }, 'worker joined'),
      (error: unknown) => {
        log.warn({ err: error, code: (error as { code?: unknown })?.code, peer: peer.remoteAddress }, 'worker refused');
        void peer.close(4403, 'worker refused').catch(() => undefined);
      },
    );
  };
  const onMembership = (): void => {
    telemetry.onWorkersChanged();
    log.debug({ workers: pool.size }, 'workers changed');
  };
  pool.on('joined', onMembership).on('left', onMembership).on('draining', onMembership);

  const transportOptions = {
    protocol: workerProtocol,
    handlers: {
      drain: ({ workerId }: { workerId: string }, { peer }: { peer: { id: string } }) => {
        log.info({ worker: workerId }, 'worker draining');
        return { accepted: pool.drain(peer.id) };
      },
    },
    heartbeatIntervalMs: config.heartbeatMs,
    maxPayloadBytes: config.limits.bodyBytes * 2,
    ...(config.secret ? { secret: config.secret } : {}),
  };
  const closers: Array<() => Promise<void>> = [];
  if (config.workerListen.port !== null) {
    const server = await listen({ ...transportOptions, host: config.workerListen.host, port: config.workerListen.port });
    server.on('connection', admitWorker);
    closers.push(() => server.close());
    log.info({ port: server.port, host: config.workerListen.host }, 'worker channel listening');
  }
  for (const url of config.workers) {
    const peer = dial(url, transportOptions);
    peer.on('open', () => admitWorker(peer));
    closers.push(() => peer.close());
  }

  if (config.embedded.workers > 0) {
    closers.push(await startEmbeddedWorkers(config.embedded, transportOptions.handlers, admitWorker));
    log.info({ workers: config.embedded.workers, repository: config.embedded.repository }, 'embedded workers started');
  }

  const auth = config.auth.apiKeys.length > 0 ? new ClientAuth(config.auth.apiKeys, { openMetrics: config.auth.openMetrics }) : undefined;
  const tls = loadClientTls(config.http.tls);
  const app = buildHttpApi({
    service, repository, pool, lanes, jobs, cache, log, telemetry, auth, bodyLimitBytes: config.limits.bodyBytes, version: VERSION,
    ready: () => ready, accepting: () => accepting, requestTimeoutMs: config.limits.requestTimeoutMs, https: tls,
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
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  // The launcher and tests read this line to learn the port when 0 was asked for.
  log.info({ port, host: config.http.host }, 'coordinator listening');
  let grpcApi: GrpcApi | undefined;
  if (config.grpc.port !== null) {
    grpcApi = buildGrpcApi({
      service, lanes, telemetry: telemetry.requests, log, version: VERSION, auth, tls, ready: () => ready, accepting: () => accepting,
      requestTimeoutMs: config.limits.requestTimeoutMs, maxMessageBytes: config.limits.bodyBytes,
    });
    const grpcPort = await grpcApi.listen(config.grpc.host, config.grpc.port);
    // The launcher and tests read this line to learn the gRPC port.
    log.info({ port: grpcPort, host: config.grpc.host, tls: tls !== undefined }, 'grpc listening');
  }

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
    await telemetry.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A failure with a code (an embedded worker that did not start, say) names it.
  const code = (error as { code?: unknown })?.code;
  const prefix = typeof code === 'string' && code.startsWith('IM_') && !(error instanceof ConfigError) ? `${code}: ` : '';
  process.stderr.write(`coordinator: ${prefix}${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
