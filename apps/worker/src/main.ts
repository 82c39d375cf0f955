import { ConfigError, loadProgramConfig, readSecretFile } from '@infermesh/config';
import { modelVersionKey, workerProtocol } from '@infermesh/contracts';
import { BatchTelemetry, ModelHost, WorkerService } from '@infermesh/host';
import { loadModelRepository } from '@infermesh/registry';
import { JsRuntime, OnnxRuntime } from '@infermesh/runtime';
import { dial, listen, type Peer } from '@infermesh/transport';
import { createLogger, createTracing, createWorkerMetrics } from '@infermesh/telemetry';
import { listenAs, stopWithParent, tuneHeapForServing } from '@infermesh/foundation';
import { repositoryFolder, WORKER_FLAGS, WorkerConfigSchema } from './config.js';
import { workerChannel, WorkerListenerInsecureError } from './listener-auth.js';
import { listenMetrics } from './metrics-server.js';

const USAGE = 'usage: worker [--config FILE] [--role model|processor] [--repository DIR] [--demo-models] [--port N [--secret-file F | --tls-mutual | --insecure-coordinators]] [--coordinator HOST:PORT] [--tls-cert F --tls-key F] [--tls-ca F] [--model NAME]... [--model-control startup|explicit] [--memory-mb N] [--metrics-port N]';

// Before the program serves: V8 flags of a serving process (see serving-heap.ts).
tuneHeapForServing();

async function main(): Promise<void> {
  const config = loadProgramConfig(process.argv.slice(2), {
    schema: WorkerConfigSchema, flags: WORKER_FLAGS, usage: USAGE, env: { secret: 'INFERMESH_SECRET', secretFile: 'INFERMESH_SECRET_FILE' },
  });
  if (!config) return;
  const secret = config.secretFile !== undefined ? readSecretFile(config.secretFile) : config.secret;
  const log = createLogger({ level: config.logLevel, name: 'worker', base: { worker: config.id } });
  // Decided before any model loads: a listener that would run any dialer's requests does not start.
  const channel = workerChannel({
    secret, tls: config.tls, listen: config.listen, coordinators: config.coordinators, insecureCoordinators: config.insecureCoordinators,
  });
  if (channel.mode === 'insecure') log.warn({ code: 'IM_WORKER_CHANNEL_INSECURE' }, 'worker listener without a secret (--insecure-coordinators): any local process can run its models');
  // A metric set only when something serves it (--metrics-port): otherwise each batch would pay for observations nobody reads.
  const metrics = config.metricsPort === undefined ? undefined : createWorkerMetrics();
  const tracing = createTracing({ serviceName: 'infermesh-worker', store: false, onExportError: (error) => log.warn({ err: error, code: error.code }, 'trace export failed') });
  if (tracing.exporting) log.info({ exporting: tracing.exporting, sampler: tracing.sampler }, 'tracing');
  const telemetry = new BatchTelemetry(tracing.tracer, metrics, config.id);

  const folder = await repositoryFolder(config);
  if (config.demoModels) {
    const { writeModelRepository } = await import('@infermesh/models');
    const written = await writeModelRepository({ out: folder });
    log.info({ repository: folder, written: written.filter((w) => w.status === 'written').map((w) => w.name) }, 'demo models ready');
  }
  // Explicit model control loads nothing at start: models come and go as coordinators ask.
  const repository = config.modelControl === 'explicit' ? [] : await loadModelRepository(folder, config.models.length ? { models: config.models } : {});
  const threads = { intraOpNumThreads: config.threads.intraOp, interOpNumThreads: config.threads.interOp };
  const host = await ModelHost.load(repository, { onnx: new OnnxRuntime(threads), js: new JsRuntime() }, { role: config.role });
  log.info({ role: config.role, modelControl: config.modelControl, models: host.specs.map((s) => modelVersionKey(s)) }, 'models loaded');

  const coordinatorPeers: Array<() => Iterable<Peer<typeof workerProtocol>>> = [];
  /** The coordinators connected now, whichever side dialled. */
  const connectedCoordinators = (): Array<Peer<typeof workerProtocol>> => coordinatorPeers.flatMap((list) => [...list()]);
  const service = await WorkerService.create(host, telemetry, {
    id: config.id, role: config.role, maxConcurrency: config.maxConcurrency, shards: config.shards,
    repository: { folder, models: config.models }, memoryBytes: config.memoryMb * 2 ** 20,
    onModelControl: ({ action, model, versions }) => log.info({ model, versions }, action === 'load' ? 'model loaded' : 'model unloaded'),
    // Every coordinator learns of a load or unload now, not at its next health check (a worker serving no model is checked by none).
    onChanged: (info) => {
      for (const peer of connectedCoordinators()) {
        void peer.call('changed', info, { timeoutMs: 5_000 }).catch((error: unknown) => log.debug({ err: error, peer: peer.remoteAddress }, 'coordinator not told of the change'));
      }
    },
  });
  const transportOptions = {
    protocol: workerProtocol,
    handlers: service.handlers,
    heartbeatIntervalMs: config.heartbeatMs,
  };

  const closers: Array<() => Promise<void>> = [];
  /** Leaves etcd (revokes the lease) once the batches in hand are done: then every coordinator drops this worker at once. */
  let leaveCluster: () => Promise<void> = async () => undefined;
  if (metrics !== undefined && config.metricsPort !== undefined) {
    const metricsPort = config.metricsPort;
    const { server, port } = await listenAs({ what: 'the metrics endpoint', flag: '--metrics-port', host: config.listen.host, port: metricsPort }, () =>
      listenMetrics(metrics, config.listen.host, metricsPort));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    log.info({ port, host: config.listen.host }, 'worker metrics listening');
  }
  if (config.listen.port !== undefined) {
    const port = config.listen.port;
    const server = await listenAs({ what: 'the listener for coordinators', flag: '--port', host: config.listen.host, port }, () =>
      listen({ ...transportOptions, ...channel.listen, host: config.listen.host, port }));
    server.on('connection', (peer) => log.info({ peer: peer.remoteAddress }, 'coordinator connected'));
    closers.push(() => server.close());
    coordinatorPeers.push(() => server.peers);
    // The launcher and tests read this line to learn the port when 0 was asked for.
    log.info({ port: server.port, host: config.listen.host, tls: channel.listen.tls !== undefined }, 'worker listening');
    const etcd = config.cluster.etcd;
    if (etcd) {
      // Loaded only for a cluster: a worker without etcd loads neither the etcd client nor its gRPC stack.
      const { advertisedUrl, registerWorker } = await import('./cluster-registration.js');
      const url = advertisedUrl({ host: config.listen.host, port: server.port }, config.cluster.advertise, channel.listen.tls !== undefined);
      const { membership, registration } = registerWorker(etcd, config.id, url);
      registration
        .on('registered', ({ lease }) => log.info({ url, lease, endpoints: etcd.endpoints }, 'registered in etcd'))
        .on('lost', (error) => log.warn({ err: error }, 'etcd lease lost: registering again when etcd answers'));
      leaveCluster = () => membership.close();
    }
  }
  for (const url of channel.coordinators) {
    const peer = dial(url, { ...transportOptions, ...channel.dial });
    peer.on('open', () => log.info({ url }, 'registered with coordinator'));
    peer.on('close', (e) => log.warn({ url, code: e.code, reason: e.reason }, 'coordinator connection lost'));
    closers.push(() => peer.close());
    coordinatorPeers.push(() => (peer.isOpen ? [peer] : []));
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, inFlight: service.inFlight }, 'worker stopping');
    // Leave rotation first: every coordinator stops sending; then finish the batches in hand.
    const peers = connectedCoordinators();
    const deadline = Date.now() + config.drainTimeoutMs;
    void Promise.allSettled(peers.map((p) => p.call('drain', { workerId: config.id }, { timeoutMs: 2_000 })))
      .then(async () => {
        while (service.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        log.info({ inFlight: service.inFlight }, 'worker drained');
      })
      .then(() => leaveCluster().catch(() => undefined))
      .then(() => Promise.allSettled(closers.map((c) => c())))
      .then(() => host.close())
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Started by a parent with an IPC channel (npm start's launcher): stop as on SIGTERM when it goes.
  stopWithParent(stop);
}

main().catch((error: unknown) => {
  const code = error instanceof ConfigError || error instanceof WorkerListenerInsecureError || error instanceof TypeError ? 2 : 1;
  // A model that cannot load (a pipeline that does not fit, a missing file) names its error code.
  const errorCode = (error as { code?: unknown })?.code;
  const prefix = typeof errorCode === 'string' && !(error instanceof ConfigError) ? `${errorCode}: ` : '';
  process.stderr.write(`worker: ${prefix}${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(code);
});
