import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, modelVersionKey, type ModelSpec, type RepositoryIndexEntry } from '@infermesh/contracts';
import type { ModelRegistry } from '@infermesh/registry';
import type { Logger } from 'pino';
import type { InferenceService } from './inference-service.js';
import type { LaneTable } from './lanes.js';
import type { Worker, WorkerPool } from './worker-pool.js';

export interface ModelRepositoryControlOptions {
  /** Longest an unload waits for the model's requests in flight (their deadlines end sooner): the coordinator's request limit. */
  drainTimeoutMs: number;
  /** Longest one worker may take to load a model. Default 60 s. */
  loadTimeoutMs?: number | undefined;
  log?: Logger | undefined;
  /**
   * The other processes of this coordinator (`processes` > 1), each with its own embedded workers and
   * lanes: a client's load or unload is done by every process, after this one.
   */
  siblings?: { load(name: string): Promise<void>; unload(name: string): Promise<void> } | undefined;
}

const byVersion = (a: RepositoryIndexEntry, b: RepositoryIndexEntry): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.version) - Number(b.version);

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Triton's model repository extension with explicit model control, over the workers: the index of every
 * model a worker's repository holds and its state, and load / unload, which act on the workers that hold
 * the model. The registry and the lanes follow the workers' new descriptions (the pool's `loaded` and
 * `unloaded` events). An unload first refuses new requests for the model (404), then waits for the ones
 * in flight to be answered, then has the workers drop it. One load or unload runs at a time.
 */
export class ModelRepositoryControl {
  readonly #registry: ModelRegistry;
  readonly #pool: WorkerPool;
  readonly #lanes: LaneTable;
  readonly #service: InferenceService;
  readonly #options: ModelRepositoryControlOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(registry: ModelRegistry, pool: WorkerPool, lanes: LaneTable, service: InferenceService, options: ModelRepositoryControlOptions) {
    this.#registry = registry;
    this.#pool = pool;
    this.#lanes = lanes;
    this.#service = service;
    this.#options = options;
  }

  /**
   * Every loaded version (READY when a healthy worker serves it, else UNAVAILABLE with the reason) and every
   * model of a worker's repository that is not loaded (version '', UNAVAILABLE, reason `unloaded`); with
   * `ready`, only the READY ones. Sorted by name, then version.
   */
  index(options: { ready?: boolean | undefined } = {}): RepositoryIndexEntry[] {
    const entries: RepositoryIndexEntry[] = [];
    const names = new Set<string>(this.#registry.list().map((s) => s.name));
    for (const w of this.#pool.workers) for (const name of w.info.repository) names.add(name);
    for (const name of names) {
      const versions = this.#registry.versions(name);
      if (versions.length === 0) {
        entries.push({ name, version: '', state: 'UNAVAILABLE', reason: 'unloaded' });
        continue;
      }
      for (const version of versions) {
        const ready = this.#service.ready(name, version);
        entries.push({ name, version, state: ready ? 'READY' : 'UNAVAILABLE', reason: ready ? '' : 'no healthy worker serves it' });
      }
    }
    return entries.filter((e) => !options.ready || e.state === 'READY').sort(byVersion);
  }

  /**
   * Loads a model on every worker whose repository holds it, in every process of the coordinator.
   * IM_MODEL_NOT_FOUND when none does; IM_MODEL_LOAD_FAILED when a worker fails.
   */
  async load(name: string): Promise<void> {
    await this.loadHere(name);
    await this.#options.siblings?.load(name);
  }

  /** `load`, in this process only: what a sibling process asks of this one. */
  loadHere(name: string): Promise<void> {
    return this.#serially(async () => {
      const holders = this.#pool.workers.filter((w) => w.info.repository.includes(name));
      if (holders.length === 0) throw new ApiError('IM_MODEL_NOT_FOUND', `no worker has model '${name}' in its repository`);
      const results = await Promise.allSettled(holders.map((w) => this.#control(w, 'load', name)));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${holders[i]!.info.workerId}: ${reasonOf(r.reason)}`] : []));
      this.#options.log?.info({ model: name, workers: holders.length, failed: failed.length }, 'model load');
      if (failed.length > 0) throw new ApiError('IM_MODEL_LOAD_FAILED', `failed to load '${name}' on ${failed.length} of ${holders.length} workers: ${failed.join('; ')}`);
    });
  }

  /**
   * Unloads every version of a model: refused for new requests at once (IM_MODEL_NOT_FOUND), the
   * requests in flight answered (up to `drainTimeoutMs`), then dropped by every worker that serves it.
   * Unloading a model that a repository holds but nothing serves succeeds, as in Triton. Every process
   * of the coordinator unloads it, this one first.
   */
  async unload(name: string): Promise<void> {
    await this.unloadHere(name);
    await this.#options.siblings?.unload(name);
  }

  /** `unload`, in this process only: what a sibling process asks of this one. */
  unloadHere(name: string): Promise<void> {
    return this.#serially(async () => {
      const servers = (w: Worker): boolean => w.info.models.some((s) => s.name === name);
      const known = this.#registry.has(name) || this.#pool.workers.some((w) => servers(w) || w.info.repository.includes(name));
      if (!known) throw new ApiError('IM_MODEL_NOT_FOUND', `unknown model '${name}'`);
      const specs: ModelSpec[] = this.#registry.versions(name).map((v) => this.#registry.get(name, v));
      for (const spec of specs) this.#registry.unregister(spec.name, spec.version);
      const timer = new AbortController();
      const drained = await Promise.race([
        Promise.all(specs.map((spec) => this.#service.whenIdle(spec))).then(() => true),
        sleep(this.#options.drainTimeoutMs, false, { signal: timer.signal }).catch(() => false),
      ]);
      timer.abort();
      const holding = this.#pool.workers.filter(servers);
      const results = await Promise.allSettled(holding.map((w) => this.#control(w, 'unload', name)));
      for (const spec of specs) this.#lanes.forget(spec);
      const failed = results.filter((r) => r.status === 'rejected').length;
      this.#options.log?.info({ model: name, versions: specs.map(modelVersionKey), drained, workers: holding.length, failed }, 'model unload');
    });
  }

  /** Loads a model on one worker (the placement leader's load), in turn with every other load and unload. */
  loadOn(worker: Worker, name: string): Promise<void> {
    return this.#serially(() => this.#control(worker, 'load', name));
  }

  /**
   * Drops a model from one worker only (the placement leader's unload): that worker leaves the model's
   * lanes once its batches there are answered, then drops it; the model stays registered and served by
   * the others, so no request is refused. When the worker fails to drop it, it goes back into the lanes.
   */
  unloadFrom(worker: Worker, name: string): Promise<void> {
    return this.#serially(async () => {
      await this.#lanes.drainModel(worker, name);
      try {
        await this.#control(worker, 'unload', name);
      } catch (error) {
        if (this.#pool.workers.includes(worker)) this.#lanes.restore(worker, name);
        throw error;
      }
    });
  }

  /** One worker-channel load or unload; the pool follows the worker's answer (its lanes with it). */
  async #control(worker: Worker, method: 'load' | 'unload', name: string): Promise<void> {
    const info = await worker.peer.call(method, { model: name }, { timeoutMs: this.#options.loadTimeoutMs ?? 60_000 });
    this.#pool.update(worker.id, info);
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(task, task);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
