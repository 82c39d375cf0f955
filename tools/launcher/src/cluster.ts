import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { spawnApp, type LogLine, type ManagedProcess } from './child-process.js';
import { writeClusterToken } from './cluster-token.js';
import { appEntry, type AppEntries } from './paths.js';

export interface ClusterOptions {
  /** Model repository the workers load. */
  repository: string;
  /** Number of workers, each dialling the coordinator. Default 2. */
  workers?: number;
  /** Number of processors (workers with `--role processor`: pre- and post-processing only). Default 0. */
  processors?: number;
  /** Extra flags for the coordinator and for every worker. */
  coordinatorArgs?: string[];
  workerArgs?: string[];
  /** A YAML config both apps read (`coordinator` and `workers.N` sections). */
  configFile?: string;
  /** Ports to use; 0 (the default) takes free ones. */
  httpPort?: number;
  /** The coordinator's gRPC port (inference.GRPCInferenceService). */
  grpcPort?: number;
  /**
   * The worker channel's port; null: none (`--worker-port off`), so no worker dials in (`workers: 0`).
   * With `processes` > 1, process i listens on `workerPort + i - 1` (`0`: each process a free port of its own, read from its log line).
   */
  workerPort?: number | null;
  /**
   * Coordinator processes sharing the client ports (its `--processes`). Default 1. Each has a worker port
   * of its own, and every worker started here dials all of them.
   */
  processes?: number;
  env?: NodeJS.ProcessEnv;
  /**
   * How the worker channel is authenticated. `token` (the default): a random token for this cluster,
   * written to `tokenFile` (mode 0600) and handed to the coordinator and every worker as `--secret-file`,
   * so it shows neither in `ps` nor in the environment. `insecure`: `--insecure-workers` (loopback only).
   * `custom`: nothing added; the caller's flags or environment set it (a secret, a credentials file).
   */
  workerAuth?: 'token' | 'insecure' | 'custom';
  /** Where the `token` mode writes the token. Default: a new private temporary folder. */
  tokenFile?: string;
  onLine?: (name: string, raw: string, parsed: LogLine | undefined) => void;
  /** Start the apps' built `dist/main.js` or their source (tsx). Default: built when the launcher is built. */
  entries?: AppEntries;
}

export interface Cluster {
  readonly url: string;
  readonly wsUrl: string;
  /** The coordinator's gRPC endpoint (host:port), for a gRPC client's target. */
  readonly grpcAddress: string;
  /** Where workers dial in (host:port): the first process's; empty with `workerPort: null`. */
  readonly workerAddress: string;
  /** Where workers dial in, one host:port per coordinator process (a worker joins the group by dialling each); empty with `workerPort: null`. */
  readonly workerAddresses: readonly string[];
  /** The file holding the worker channel's token (`workerAuth: 'token'`): pass `--secret-file` to a worker you start. */
  readonly tokenFile: string | undefined;
  readonly coordinator: ManagedProcess;
  readonly workers: ManagedProcess[];
  readonly processors: ManagedProcess[];
  /** Starts one more worker that dials the coordinator; resolves once the coordinator admitted it. */
  addWorker(args?: string[]): Promise<ManagedProcess>;
  /** Starts one more processor (`--role processor`); resolves once the coordinator admitted it. */
  addProcessor(args?: string[]): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/**
 * A coordinator and workers on localhost, each a real process run from source. Used by
 * `npm start`, the end-to-end tests and the benchmarks, so all three start the system one way.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const common = { ...(options.env ? { env: options.env } : {}), ...(options.onLine ? { onLine: options.onLine } : {}) };
  const workerAuth = options.workerAuth ?? 'token';
  const tokenFile = workerAuth === 'token' ? await writeClusterToken(options.tokenFile) : undefined;
  const tokenArgs = tokenFile === undefined ? [] : ['--secret-file', tokenFile];
  const processes = options.processes ?? 1;
  // The process each line comes from: `process` is 1..N in a group, absent for a lone coordinator.
  const indexes = processes > 1 ? Array.from({ length: processes }, (_, i) => i + 1) : [undefined];
  const coordinator = spawnApp({
    name: 'coordinator',
    entry: appEntry('coordinator', options.entries),
    args: [
      ...(options.configFile ? ['--config', options.configFile] : []),
      '--listen-port', String(options.httpPort ?? 0),
      '--grpc-port', String(options.grpcPort ?? 0),
      '--worker-port', options.workerPort === null ? 'off' : String(options.workerPort ?? 0),
      ...(processes > 1 ? ['--processes', String(processes)] : []),
      ...tokenArgs,
      ...(workerAuth === 'insecure' ? ['--insecure-workers'] : []),
      ...(options.coordinatorArgs ?? []),
    ],
    ...common,
  });
  const workers: ManagedProcess[] = [];
  const processors: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled([...workers, ...processors, coordinator].map((p) => p.stop()));
    // A token this call put in a temporary folder dies with the cluster.
    if (tokenFile !== undefined && options.tokenFile === undefined) await rm(dirname(tokenFile), { recursive: true, force: true });
  };
  try {
    const [http, channels, grpc] = await Promise.all([
      coordinator.waitFor('coordinator listening'),
      options.workerPort === null ? [] : Promise.all(indexes.map((i) => coordinator.waitFor('worker channel listening', { match: (l) => l.process === i }))),
      coordinator.waitFor('grpc listening'),
    ]);
    const url = `http://127.0.0.1:${http.port}`;
    const workerAddresses = channels.map((channel) => `127.0.0.1:${channel.port}`);
    const workerAddress = workerAddresses[0] ?? '';
    // Workers take their section of the config file; processors only flags (the file has no section for them).
    const add = async (role: 'worker' | 'processor', args: string[]): Promise<ManagedProcess> => {
      if (workerAddresses.length === 0) throw new Error(`no ${role} can join: this coordinator has no worker channel (workerPort: null)`);
      const list = role === 'worker' ? workers : processors;
      const i = list.length;
      const id = `${role}-${i + 1}`;
      // Admitted when every process of the coordinator has it.
      const admitted = Promise.all(indexes.map((p) => coordinator.waitFor('worker joined', { timeoutMs: 60_000, match: (l) => l.worker === id && l.process === p })));
      const child = spawnApp({
        name: id,
        entry: appEntry('worker', options.entries),
        args: [
          ...(options.configFile && role === 'worker' ? ['--config', options.configFile, '--config-section', `workers.${i}`] : []),
          ...(role === 'processor' ? ['--role', 'processor'] : []),
          '--id', id,
          '--repository', options.repository,
          ...workerAddresses.flatMap((address) => ['--coordinator', address]),
          ...tokenArgs,
          ...(options.workerArgs ?? []),
          ...args,
        ],
        ...common,
      });
      list.push(child);
      await Promise.race([admitted, child.exited.then((code) => Promise.reject(new Error(`${id} exited (code ${code})\n${child.output.join('\n')}`)))]);
      return child;
    };
    const addWorker = (args: string[] = []): Promise<ManagedProcess> => add('worker', args);
    const addProcessor = (args: string[] = []): Promise<ManagedProcess> => add('processor', args);
    for (let i = 0; i < (options.workers ?? 2); i++) await addWorker();
    for (let i = 0; i < (options.processors ?? 0); i++) await addProcessor();
    const grpcAddress = `127.0.0.1:${grpc.port}`;
    return { url, wsUrl: `ws://127.0.0.1:${http.port}/v2/ws`, grpcAddress, workerAddress, workerAddresses, tokenFile, coordinator, workers, processors, addWorker, addProcessor, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
