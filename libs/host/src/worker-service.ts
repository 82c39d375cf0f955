import { modelVersionKey, type PlaceableModel, type WorkerErrorCode, type WorkerInfo, type WorkerProtocol, type WorkerRole } from '@infermesh/contracts';
import { loadModelRepository, placeableModels, repositoryModelNames } from '@infermesh/registry';
import type { Handlers } from '@infermesh/transport';
import type { BatchTelemetry } from './batch-telemetry.js';
import type { ModelHost } from './model-host.js';

/** Too many batches at once: the worker refuses rather than queue without bound (a fault: the coordinator tries another worker). */
export class WorkerBusyError extends Error {
  readonly code: WorkerErrorCode = 'IM_WORKER_BUSY';
}

/** A load the worker cannot do (a model not in its repository, or no repository): the coordinator answers with its own code. */
export class ModelControlError extends Error {
  readonly code: WorkerErrorCode = 'IM_WORKER_MODEL_NOT_LOADED';
}

export interface WorkerServiceOptions {
  /** The worker's name in the coordinator's status and logs. */
  id: string;
  role: WorkerRole;
  /** Batches it runs at once; the coordinator keeps no more in flight. Twice this many are refused as busy. */
  maxConcurrency: number;
  /** Shards held of every sharded model; empty: all of them. */
  shards: readonly number[];
  /** Reported in `describe`; the thread's process for an embedded worker. */
  pid?: number;
  /**
   * Where `load` reads models from (explicit model control): the repository folder and the models of it
   * this worker holds (empty: all). Absent: `load` is refused, `unload` still drops a model.
   */
  repository?: { folder: string; models: readonly string[] } | undefined;
  /** Told of each load and unload, for the log. */
  onModelControl?: (event: { action: 'load' | 'unload'; model: string; versions: string[] }) => void;
  /** The memory offered to models, bytes, reported for placement (`WorkerInfo.memoryBytes`). Absent: not reported. */
  memoryBytes?: number | undefined;
  /** Told the new description after each load and unload, to pass on to every coordinator (the `changed` method). */
  onChanged?: (info: WorkerInfo) => void;
}

/**
 * The worker protocol over a loaded ModelHost: `describe` (what it serves now), `infer` (one batch, with
 * telemetry, refused as busy past twice its concurrency), and explicit model control — `load` (a model of
 * its repository, read afresh from disk) and `unload` (after the model's running batches are answered),
 * each answered with the new description; one load or unload at a time. The same service answers on a
 * worker process's WebSocket and on an embedded worker thread's port.
 */
export class WorkerService {
  readonly handlers: Handlers<WorkerProtocol>;
  readonly #host: ModelHost;
  readonly #options: WorkerServiceOptions;
  #loadable: string[] = [];
  #placeable: PlaceableModel[] = [];
  #inFlight = 0;
  #control: Promise<unknown> = Promise.resolve();

  /** A service whose repository's model names are read first, so that `describe` reports them from the start. */
  static async create(host: ModelHost, telemetry: BatchTelemetry, options: WorkerServiceOptions): Promise<WorkerService> {
    const service = new WorkerService(host, telemetry, options);
    await service.#rescan();
    return service;
  }

  constructor(host: ModelHost, telemetry: BatchTelemetry, options: WorkerServiceOptions) {
    this.#host = host;
    this.#options = options;
    const { id, maxConcurrency } = options;
    this.handlers = {
      describe: () => this.info,
      infer: async (request, ctx) => {
        if (this.#inFlight >= maxConcurrency * 2) throw new WorkerBusyError(`worker ${id} has ${this.#inFlight} batches in flight`);
        this.#inFlight++;
        try {
          return await telemetry.run(request, (stages) => host.infer(request, ctx, stages));
        } finally {
          this.#inFlight--;
        }
      },
      load: ({ model }) => this.#serially(async () => {
        const repository = this.#options.repository;
        await this.#rescan();
        if (!repository || !this.#loadable.includes(model)) throw new ModelControlError(`model '${model}' is not in the repository of worker ${id}`);
        // Read afresh from disk, as Triton does on load: an edited manifest or a new version folder is picked up.
        const added = await host.add(await loadModelRepository(repository.folder, { models: [model] }));
        this.#options.onModelControl?.({ action: 'load', model, versions: added.map((s) => s.version) });
        return this.#changed();
      }),
      unload: ({ model }) => this.#serially(async () => {
        const dropped = await host.remove(model);
        this.#options.onModelControl?.({ action: 'unload', model, versions: dropped.map((s) => s.version) });
        return this.#changed();
      }),
    };
  }

  /** What it serves now (its models change with `load` and `unload`). */
  get info(): WorkerInfo {
    const { id, role, maxConcurrency, shards } = this.#options;
    const host = this.#host;
    return {
      workerId: id,
      pid: this.#options.pid ?? process.pid,
      maxConcurrency,
      models: host.specs,
      role,
      stages: host.stages,
      shards: Object.fromEntries(
        shards.length === 0 || role === 'processor'
          ? []
          : host.specs.filter((s) => s.shards > 1).map((s) => [modelVersionKey(s), shards.filter((n) => n < s.shards)]),
      ),
      repository: this.#loadable,
      ...(this.#options.memoryBytes !== undefined ? { memoryBytes: this.#options.memoryBytes } : {}),
      placeable: this.#placeable,
    };
  }

  #changed(): WorkerInfo {
    const info = this.info;
    this.#options.onChanged?.(info);
    return info;
  }

  /** Batches running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  async #rescan(): Promise<void> {
    const repository = this.#options.repository;
    if (!repository) return;
    const narrow = repository.models.length > 0 ? { models: [...repository.models] } : {};
    this.#loadable = await repositoryModelNames(repository.folder, narrow);
    this.#placeable = await placeableModels(repository.folder, narrow);
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#control.then(task, task);
    this.#control = next.catch(() => undefined);
    return next;
  }
}
