import { resolve } from 'node:path';
import { ConfigError, formatHelp, loadConfig, parseFlags, type FlagTable } from '@infermesh/config';
import { z } from 'zod';
import { autoProcesses } from './auto-processes.js';
import { buildDemoModels } from './build-models.js';
import type { LogLine } from './child-process.js';
import { startCluster, type Cluster } from './cluster.js';
import { WORKSPACE_ROOT } from './paths.js';

const LauncherSchema = z.object({
  /** Model repository; the demo models are built into it when missing. */
  repository: z.string().default('.infermesh/models'),
  /** Workers to start. */
  workers: z.int().min(1).max(16).default(2),
  /**
   * `embedded`: the workers run on threads of the coordinator's process (one machine: no worker
   * processes, no sockets between them; the faster layout here, see the README's "Hot path").
   * `processes`: each worker is a process of its own dialling the coordinator, as across hosts.
   */
  layout: z.enum(['embedded', 'processes']).default('embedded'),
  /**
   * Embedded layout: models served inline on the coordinator's HTTP thread (its `--embedded-inline-model`),
   * the small ones, for which a thread hand-over costs more than the batch; the rest run on the worker
   * threads. Empty: every model on the threads.
   */
  inlineModels: z.array(z.string().min(1)).default([]),
  /**
   * Coordinator processes serving the client API (its `--processes`), sharing the ports, each with its own
   * lanes, inline models and worker threads; each has a worker port of its own (`workerPort` + i - 1) and
   * every worker dials them all. `auto`: one per core, at most 2 (`autoProcesses`).
   */
  processes: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default('auto'),
  /**
   * `colocated`: each worker runs a model's pre- and post-processing with the model. `disaggregated`:
   * they run on `processors` processes of their own (the coordinator's `--placement disaggregated`).
   */
  placement: z.enum(['colocated', 'disaggregated']).default('colocated'),
  /** Processors to start when disaggregated. */
  processors: z.int().min(1).max(16).default(2),
  /** Client API port of the coordinator. */
  httpPort: z.int().min(0).max(65_535).default(9000),
  /** gRPC port of the coordinator (the Open Inference Protocol's inference.GRPCInferenceService). */
  grpcPort: z.int().min(0).max(65_535).default(9001),
  /** Port the workers dial in on. */
  workerPort: z.int().min(0).max(65_535).default(9100),
  /**
   * Where the worker channel's token is written (mode 0600), new at each start. A worker you start by
   * hand joins with `--secret-file` and this file.
   */
  tokenFile: z.string().default('.infermesh/worker-token'),
  /** Show each process's JSON log as one readable line. */
  pretty: z.boolean().default(true),
});

const FLAGS: FlagTable = {
  workers: { path: 'workers', type: 'number', short: 'w', description: 'number of workers' },
  layout: { path: 'layout', type: 'string', description: 'embedded|processes: workers on threads of the coordinator, or worker processes' },
  'inline-model': { path: 'inlineModels', type: 'list', description: 'embedded layout: model served inline on the HTTP thread (repeat)' },
  processes: { path: 'processes', type: 'string', description: 'coordinator processes sharing the ports, each with its own lanes and models (auto: one per core, at most 2)' },
  placement: { path: 'placement', type: 'string', description: 'colocated|disaggregated: where pre- and post-processing run' },
  processors: { path: 'processors', type: 'number', description: 'number of processors when disaggregated' },
  'http-port': { path: 'httpPort', type: 'number', description: 'coordinator client API port' },
  'grpc-port': { path: 'grpcPort', type: 'number', description: 'coordinator gRPC port' },
  'worker-port': { path: 'workerPort', type: 'number', description: 'port workers dial in on' },
  repository: { path: 'repository', type: 'string', description: 'model repository folder' },
  'token-file': { path: 'tokenFile', type: 'string', description: 'where the worker channel token is written (0600, new each start)' },
  json: { path: 'pretty', type: 'boolean', description: 'print raw JSON logs (sets pretty: false)' },
};

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const QUIET_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'role']);

function printer(pretty: boolean) {
  return (name: string, raw: string, parsed: LogLine | undefined): void => {
    if (!pretty || !parsed) {
      process.stdout.write(`[${name}] ${raw}\n`);
      return;
    }
    const extra = Object.entries(parsed).filter(([k]) => !QUIET_KEYS.has(k));
    const level = LEVELS[parsed.level ?? 30] ?? 'info';
    process.stdout.write(`[${name}] ${level} ${parsed.msg ?? ''}${extra.length ? ` ${JSON.stringify(Object.fromEntries(extra))}` : ''}\n`);
  };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), FLAGS);
  if (flags.help) {
    process.stdout.write(formatHelp('usage: npm start -- [--config FILE] [--workers N] [--placement disaggregated]', FLAGS));
    return;
  }
  if (flags.overrides.pretty === true) flags.overrides.pretty = false;
  const configFile = resolve(WORKSPACE_ROOT, flags.configFile ?? 'examples/demo.yaml');
  const config = loadConfig(LauncherSchema, { file: configFile, section: 'launcher', overrides: flags.overrides });
  const repository = resolve(WORKSPACE_ROOT, config.repository);
  const onLine = printer(config.pretty);

  let cluster: Cluster | undefined;
  let stopping = false;
  // Stops the cluster and exits; asked while the cluster starts, it is done once the cluster is up.
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    if (cluster) void cluster.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A reader of this output that goes away (`npm start | head`, a closed pipe) ends the run, as SIGPIPE
  // would end a C program. Left to itself, the launcher died of the EPIPE error at the next child line and
  // left the cluster serving, its ports taken, with no one to stop it.
  process.stdout.on('error', stop);

  process.stdout.write(`infermesh: building demo models in ${repository} (skipped when present)\n`);
  await buildDemoModels(repository, (name, raw) => onLine(name, raw, undefined));
  if (stopping) process.exit(0);
  const disaggregated = config.placement === 'disaggregated';
  const processors = disaggregated ? config.processors : 0;
  const embedded = config.layout === 'embedded';
  const kind = embedded
    ? `embedded workers (threads of the coordinator, for the models not inline${config.inlineModels.length ? `; ${config.inlineModels.join(', ')} inline on its HTTP thread` : ''})`
    : 'worker processes';
  const processes = config.processes === 'auto' ? autoProcesses() : config.processes;
  const group = processes > 1 ? ` in ${processes} coordinator processes sharing its ports` : '';
  process.stdout.write(
    `infermesh: starting a coordinator, ${config.workers} ${kind}${disaggregated ? ` and ${processors} processors (disaggregated)` : ''} (config ${configFile})\n`,
  );
  cluster = await startCluster({
    repository,
    configFile,
    workers: embedded ? 0 : config.workers,
    processors,
    coordinatorArgs: [
      ...(embedded ? ['--embedded-workers', String(config.workers), '--embedded-repository', repository] : []),
      ...(embedded ? config.inlineModels.flatMap((m) => ['--embedded-inline-model', m]) : []),
      // Only when asked: a per-model placement in the coordinator's own section stands otherwise.
      ...(disaggregated ? ['--placement', 'disaggregated'] : []),
    ],
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    workerPort: config.workerPort,
    processes,
    // A new token each start, readable only by this user: no other process joins as a worker.
    workerAuth: 'token',
    tokenFile: resolve(WORKSPACE_ROOT, config.tokenFile),
    onLine,
  });
  if (stopping) {
    await cluster.stop();
    process.exit(0);
  }

  const u = cluster.url;
  process.stdout.write(`
infermesh is ready: coordinator ${u} (gRPC ${cluster.grpcAddress}), ${config.workers} ${kind}${group}${disaggregated ? `, ${processors} processors (pre- and post-processing)` : ''}, models sentiment, mlp, noop, ocr (with its stages ocr-det, ocr-rec).

  curl ${u}/v2/health/ready
  curl ${u}/v2/models/sentiment
  curl -s ${u}/v2/models/sentiment/infer -H 'content-type: application/json' \\
    -d '{"inputs":[{"name":"text","datatype":"BYTES","shape":[2],"data":["I love this movie","what a terrible day"]}]}'
  curl -s ${u}/v2/models/noop/infer -H 'content-type: application/json' \\
    -d '{"inputs":[{"name":"input","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}'
  curl -s ${u}/v2/models/ocr/infer -H 'content-type: application/json' \
    -d "{\\"inputs\\":[{\\"name\\":\\"image\\",\\"datatype\\":\\"BYTES\\",\\"shape\\":[1],\\"data\\":[\\"$(base64 -w0 page.png)\\"]}]}"   # text, score, box per line
  node examples/client.mjs ${u}        # text in, labels out; a tensor request; the WebSocket API
  curl ${u}/v2/status
  node examples/grpc-client.mjs ${cluster.grpcAddress}   # the same over gRPC (inference.GRPCInferenceService, libs/contracts/proto)
${cluster.workerAddresses.length === 0 ? '' : `
Workers join only with this cluster's token (${cluster.tokenFile ?? ''}, mode 0600, new at each start)${processes > 1 ? ', dialling each coordinator process' : ''}:
  npx infermesh-worker ${cluster.workerAddresses.map((a) => `--coordinator ${a}`).join(' ')} --secret-file ${cluster.tokenFile ?? ''} --repository ${repository}
`}
Ctrl-C stops everything.
`);

  const died = await Promise.race([cluster.coordinator, ...cluster.workers, ...cluster.processors].map((p) => p.exited.then((code) => ({ p, code }))));
  if (!stopping) {
    process.stderr.write(`infermesh: ${died.p.name} exited (code ${died.code}); stopping the rest\n`);
    await cluster.stop();
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`infermesh: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
