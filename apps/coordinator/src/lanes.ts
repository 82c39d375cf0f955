import { Batcher, type BatchEvent, type BatcherStats, type Clock } from '@infermesh/batcher';
import { modelVersionKey, type ModelSpec } from '@infermesh/contracts';
import type { StrategyName } from '@infermesh/load-balancer';
import type { ModelRegistry } from '@infermesh/registry';
import { NoHealthyNodeError, RetryBudget, RoutingTable, UnknownTargetError, type Hasher } from '@infermesh/router';
import { Lane, type LaneSettings, type Queued, type Served } from './lane.js';
import { placementOf, refMatches, type Fallback, type Placement, type PlacementPolicy } from './lane-policy.js';
import type { ModelStatistics } from './model-statistics.js';
import type { LaneBalancing, Worker, WorkerPool } from './worker-pool.js';

export interface LaneTableOptions {
  placement: PlacementPolicy;
  fallbacks: readonly Fallback[];
  /** Strategy of every lane's balancer, unless `strategies` names one for the model. */
  strategy: StrategyName;
  strategies: Record<string, StrategyName>;
  /** Active checks (a `describe` call), passive outlier ejection, panic mode, slow start. */
  health: { intervalMs: number; timeoutMs: number; unhealthyThreshold: number; healthyThreshold: number };
  outlier: { consecutiveFailures: number; baseEjectionMs: number; maxEjectionMs: number; maxEjectionPercent: number };
  panicThreshold: number;
  slowStartMs: number;
  /** Retries allowed as a fraction of recent batches (plus a floor per second). */
  retryBudget: { percentCanRetry: number; minRetriesPerSecond: number };
  /** The router's string hash (xxHash32, loaded once at start). */
  hash: Hasher;
  /** False sends every request to a worker alone (the baseline of the batching bench). */
  batching: boolean;
  /** Overrides every model's `batching.maxDelayMs`. */
  maxDelayMs?: number | undefined;
  /** The clock deadlines are on. Default: `performance.now()` ms with the process's timers. */
  clock?: Clock | undefined;
  onState?: (event: { lane: string; worker: string; from: string; to: string; reason: string }) => void;
  /** Each batch as it leaves a model lane (with batching off, each request as a batch of one); not processor batches. */
  onBatch?: (lane: Lane, event: BatchEvent) => void;
  /** Where every lane counts its answered batches (Triton's statistics). */
  statistics?: ModelStatistics | undefined;
  /** A worker answered a lane outside the stage's declared outputs (the lane tries another worker): eject it. */
  onContractBroken?: (event: { lane: string; worker: Worker; detail: string }) => void;
}

/** The lanes of one model version. */
interface VersionLanes {
  spec: ModelSpec;
  placement: Placement;
  /** The model stage by shard: `all` co-located, `model` disaggregated. */
  shards: Lane[];
  preprocess: Lane | undefined;
  postprocess: Lane | undefined;
}

/** The lanes one request runs through, resolved once. */
export interface Route {
  spec: ModelSpec;
  preprocess: Lane | undefined;
  model: Lane;
  postprocess: Lane | undefined;
  /** Set for a sharded model. */
  shard: number | undefined;
  /** `name:version` asked for, when a fallback answers instead. */
  fallbackFrom: string | undefined;
}

/** Deadlines are `performance.now()` ms from the edge on; the batcher's timers run on the same clock. */
const monotonic: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Every lane of every model version the workers serve, kept in step with the pool: a joining worker
 * is added to the lanes it can serve (its role, its shards), a leaving one removed. A request resolves
 * here to its route, once: the model version (or a fallback, through the router's routing table, when
 * no healthy worker serves it), its shard, and the lanes of its stages.
 */
export class LaneTable {
  readonly #registry: ModelRegistry;
  readonly #pool: WorkerPool;
  readonly #options: LaneTableOptions;
  readonly #versions = new Map<string, VersionLanes>();
  readonly #byLabel = new Map<string, Lane>();
  readonly #byWorker = new Map<string, Lane[]>();
  readonly #workers = new Map<string, Worker>();
  readonly #routing: RoutingTable;
  readonly #retries: RetryBudget;
  readonly #batcher: Batcher<Queued, Served> | undefined;

  constructor(registry: ModelRegistry, pool: WorkerPool, options: LaneTableOptions) {
    this.#registry = registry;
    this.#pool = pool;
    this.#options = options;
    this.#routing = new RoutingTable({ hash: options.hash });
    this.#retries = new RetryBudget(options.retryBudget);
    if (options.batching) {
      this.#batcher = new Batcher<Queued, Served>({
        clock: options.clock ?? monotonic,
        // Every item of a batch is of one lane (the batch key is the lane's label).
        run: (items, _key, signal, info) => items[0]!.lane.runBatch(items, signal, info),
        sizeOf: (q) => q.rows,
        coalesceKeyOf: (q) => q.coalesceKey,
      });
      const onBatch = options.onBatch;
      if (onBatch) {
        this.#batcher.on('batch', (event) => {
          const lane = this.#byLabel.get(event.key);
          if (lane?.role === 'model') onBatch(lane, event);
        });
      }
    }
    pool.on('joined', (worker) => this.#join(worker));
    pool.on('left', (worker) => this.#leave(worker));
    pool.on('loaded', (worker, specs) => this.#attach(worker, specs));
    pool.on('unloaded', (worker, specs) => this.#detach(worker, specs));
    pool.on('draining', (worker) => {
      for (const lane of this.#byWorker.get(worker.id) ?? []) lane.drain(worker.id);
    });
  }

  #lane(spec: ModelSpec, stage: Lane['stage'], shard: number | undefined): Lane {
    const o = this.#options;
    const settings: LaneSettings = {
      balancer: {
        strategy: o.strategies[spec.name] ?? o.strategy,
        health: {
          ...o.health,
          check: async (w, signal) => {
            const info = await w.peer.call('describe', {}, { timeoutMs: o.health.timeoutMs, signal });
            // A worker's models change with explicit model control, through this coordinator or another: follow them.
            try {
              this.#pool.update(w.id, info);
            } catch {
              // A model the registry refuses (a conflicting spec) stays unserved here; the worker itself is healthy.
            }
          },
        },
        outlier: { enabled: true, ...o.outlier },
        panicThreshold: o.panicThreshold,
        slowStart: { durationMs: o.slowStartMs },
      },
      retries: this.#retries,
      batcher: this.#batcher,
      maxDelayMs: o.maxDelayMs,
      statistics: o.statistics,
      // What the stage answers: the model's outputs (co-located, post-processing), else the signature the workers registered.
      declaredOutputs: stage === 'all' || stage === 'postprocess'
        ? () => spec.outputs
        : () => this.#registry.stages(spec.name, spec.version)[stage]?.outputs,
      onContractBroken: (worker, detail) => o.onContractBroken?.({ lane: label(), worker, detail }),
    };
    const lane = new Lane(spec, stage, shard, settings);
    const label = (): string => lane.label;
    lane.balancer.on('state', (e) => {
      const worker = this.#workers.get(e.id)?.info.workerId ?? e.id;
      o.onState?.({ lane: lane.label, worker, from: e.from, to: e.to, reason: e.reason });
    });
    this.#byLabel.set(lane.label, lane);
    return lane;
  }

  /** The lanes of a model version, made on first sight. */
  #versionLanes(spec: ModelSpec): VersionLanes {
    const key = modelVersionKey(spec);
    let v = this.#versions.get(key);
    if (v) return v;
    const placement = placementOf(this.#options.placement, spec);
    const sharded = spec.shards > 1;
    const modelStage = placement === 'colocated' ? 'all' : 'model';
    v = {
      spec,
      placement,
      shards: Array.from({ length: spec.shards }, (_, s) => this.#lane(spec, modelStage, sharded ? s : undefined)),
      preprocess: placement === 'disaggregated' && spec.preprocess.length > 0 ? this.#lane(spec, 'preprocess', undefined) : undefined,
      postprocess: placement === 'disaggregated' && spec.postprocess.length > 0 ? this.#lane(spec, 'postprocess', undefined) : undefined,
    };
    this.#versions.set(key, v);
    this.#routing.configure(key, { shards: spec.shards });
    return v;
  }

  #join(worker: Worker): void {
    this.#workers.set(worker.id, worker);
    this.#byWorker.set(worker.id, []);
    this.#attach(worker, worker.info.models);
  }

  /** Puts a worker into the lanes of model versions it serves (on joining, and when it loads more). */
  #attach(worker: Worker, models: readonly ModelSpec[]): void {
    const lanes: Lane[] = [];
    for (const served of models) {
      // A pipeline runs on its stage models' lanes; it has none of its own.
      if (served.platform === 'pipeline') continue;
      const v = this.#versionLanes(this.#registry.get(served.name, served.version));
      const key = modelVersionKey(v.spec);
      if (worker.info.role === 'processor') {
        lanes.push(...[v.preprocess, v.postprocess].filter((l) => l !== undefined));
        continue;
      }
      const shards = worker.info.shards[key];
      this.#routing.register(worker.id, { target: key, ...(shards ? { shards } : {}) });
      lanes.push(...v.shards.filter((_, s) => !shards || shards.includes(s)));
    }
    for (const lane of lanes) lane.add(worker);
    this.#byWorker.get(worker.id)?.push(...lanes);
    this.#configureFallbacks();
  }

  /** Takes a worker out of the lanes of model versions it dropped; its other lanes are untouched. */
  #detach(worker: Worker, models: readonly ModelSpec[]): void {
    const keys = new Set(models.map(modelVersionKey));
    const mine = this.#byWorker.get(worker.id) ?? [];
    const [gone, kept] = [mine.filter((l) => keys.has(modelVersionKey(l.spec))), mine.filter((l) => !keys.has(modelVersionKey(l.spec)))];
    for (const lane of gone) lane.remove(worker.id);
    this.#byWorker.set(worker.id, kept);
    if (worker.info.role !== 'model') return;
    for (const key of keys) {
      if (this.#routing.nodesOf(key).has(worker.id)) this.#routing.unregister(worker.id, key);
    }
  }

  /**
   * Takes one worker out of every lane of a model (all its versions) once the batches it runs there are
   * answered; other workers and the worker's other models are untouched. Resolves when they are. The
   * placement leader calls it before it asks the worker to drop the model.
   */
  async drainModel(worker: Worker, model: string): Promise<void> {
    const lanes = (this.#byWorker.get(worker.id) ?? []).filter((l) => l.spec.name === model);
    await Promise.all(lanes.map((lane) => lane.drained(worker.id)));
  }

  /** Puts a worker back into the lanes of a model it still serves (a placement unload that failed). */
  restore(worker: Worker, model: string): void {
    const specs = worker.info.models.filter((s) => s.name === model);
    this.#detach(worker, specs);
    this.#attach(worker, specs);
  }

  /**
   * Drops the lanes of a model version that was unloaded (after its requests were answered), so that
   * loading it again builds them from the spec registered then.
   */
  forget(spec: ModelSpec): void {
    const key = modelVersionKey(spec);
    const v = this.#versions.get(key);
    if (!v) return;
    this.#versions.delete(key);
    for (const lane of [...v.shards, v.preprocess, v.postprocess]) {
      if (!lane) continue;
      for (const [id, lanes] of this.#byWorker) this.#byWorker.set(id, lanes.filter((l) => l !== lane));
      this.#byLabel.delete(lane.label);
      lane.close();
    }
  }

  /** How many workers serve the model version's model stage now (Triton's instance count). */
  instances(spec: ModelSpec): number {
    const v = this.#versions.get(modelVersionKey(spec));
    if (!v) return 0;
    const ids = new Set<string>();
    for (const lane of v.shards) for (const e of lane.balancer.snapshot().endpoints) ids.add(e.id);
    return ids.size;
  }

  #leave(worker: Worker): void {
    for (const lane of this.#byWorker.get(worker.id) ?? []) lane.remove(worker.id);
    this.#byWorker.delete(worker.id);
    this.#workers.delete(worker.id);
    if (worker.info.role === 'model') {
      try {
        this.#routing.unregister(worker.id);
      } catch {
        /* it served nothing */
      }
    }
  }

  /** The routing table's fallback of each model version, from the configured fallbacks (a bare name: its latest version now). */
  #configureFallbacks(): void {
    const fallbacks = this.#options.fallbacks;
    if (fallbacks.length === 0) return;
    for (const [key, v] of this.#versions) {
      const rule = fallbacks.find((f) => refMatches(f.from, v.spec, true)) ?? fallbacks.find((f) => refMatches(f.from, v.spec, false));
      const to = rule && this.#registry.has(rule.to.name, rule.to.version) ? this.#registry.get(rule.to.name, rule.to.version) : undefined;
      this.#routing.configure(key, { shards: v.spec.shards, ...(to ? { fallback: modelVersionKey(to) } : {}) });
    }
  }

  /** A healthy worker serves the version's model stage (for `shard`, or any), and, disaggregated, its processing stages. */
  #servable(v: VersionLanes, shard?: number): boolean {
    const model = shard === undefined ? v.shards.some((l) => l.available) : v.shards[shard]?.available === true;
    return model && (v.preprocess?.available ?? true) && (v.postprocess?.available ?? true);
  }

  /**
   * The route of a request for `asked`: its own lanes, or, when no healthy worker serves its shard for
   * `key`, those of the first fallback in the chain that has one. With none anywhere, its own lanes
   * (which answer IM_NO_WORKER, or wait for a worker until the deadline).
   */
  resolve(asked: ModelSpec, key: string): Route {
    const own = this.#versionLanes(asked);
    // The usual case costs no routing: an unsharded model with a healthy worker.
    if (own.spec.shards === 1 && this.#servable(own, 0)) return route(own, 0, undefined);
    const target = modelVersionKey(own.spec);
    try {
      const r = this.#routing.resolve(target, key, {
        isHealthy: (node, where) => {
          const v = this.#versions.get(where.target);
          return v !== undefined && v.shards[where.shard]?.balancer.isAvailable(node) === true && this.#servable(v, where.shard);
        },
      });
      const v = this.#versions.get(r.target);
      if (v) return route(v, r.shard, r.target === target ? undefined : target);
    } catch (error) {
      if (!(error instanceof NoHealthyNodeError) && !(error instanceof UnknownTargetError)) throw error;
    }
    return route(own, this.#shardOf(own, key), undefined);
  }

  /** The shard of a model version a routing key maps to (0 for a model of one shard). */
  #shardOf(v: VersionLanes, key: string): number {
    return v.spec.shards > 1 ? this.#routing.shardOf(modelVersionKey(v.spec), key) : 0;
  }

  /** Whether the model version can be served now (its lanes have healthy workers). */
  servable(spec: ModelSpec): boolean {
    const v = this.#versions.get(modelVersionKey(spec));
    return v !== undefined && this.#servable(v);
  }

  /** Some model can be served: the coordinator's readiness. */
  ready(): boolean {
    for (const v of this.#versions.values()) if (this.#servable(v)) return true;
    return false;
  }

  /** A worker as each of its lanes' balancers sees it. */
  balancing(worker: Worker): Record<string, LaneBalancing> {
    const out: Record<string, LaneBalancing> = {};
    for (const lane of this.#byWorker.get(worker.id) ?? []) {
      const e = lane.balancer.snapshot().endpoints.find((m) => m.id === worker.id);
      if (e) out[lane.label] = { state: e.state, outstanding: e.outstanding, requests: e.requests, errorRate: e.errorRate, latency: e.latency };
    }
    return out;
  }

  /** Callers queued now, by model name (summed over versions, stages and shards), for the queue-depth gauge. */
  queueDepths(): Map<string, number> {
    const depths = new Map<string, number>();
    if (!this.#batcher) return depths;
    for (const lane of this.#byLabel.values()) {
      const name = lane.spec.name;
      depths.set(name, (depths.get(name) ?? 0) + this.#batcher.stats(lane.label).queueDepth);
    }
    return depths;
  }

  /**
   * Workers that a model lane's balancer has healthy now, by model name (distinct workers over versions
   * and shards); every registered model is listed, with 0 when none is, for the `model_healthy_workers` gauge.
   */
  healthyWorkers(): Map<string, number> {
    const healthy = new Map<string, Set<string>>(this.#registry.list().map((spec) => [spec.name, new Set<string>()]));
    for (const lane of this.#byLabel.values()) {
      if (lane.role !== 'model') continue;
      let set = healthy.get(lane.spec.name);
      if (!set) healthy.set(lane.spec.name, (set = new Set()));
      for (const endpoint of lane.balancer.snapshot().endpoints) if (endpoint.state === 'healthy') set.add(endpoint.id);
    }
    return new Map([...healthy].map(([model, set]) => [model, set.size]));
  }

  stats(): { enabled: boolean; total?: BatcherStats; models: Record<string, BatcherStats> } {
    const batcher = this.#batcher;
    if (!batcher) return { enabled: false, models: {} };
    return { enabled: true, total: batcher.stats(), models: Object.fromEntries(batcher.keys().map((k) => [k, batcher.stats(k)])) };
  }

  /** Sends every queued request now and resolves when all batches are answered (shutdown). */
  async drain(): Promise<void> {
    await this.#batcher?.drain();
  }

  close(): void {
    for (const lane of this.#byLabel.values()) lane.close();
  }
}

function route(v: VersionLanes, shard: number, fallbackFrom: string | undefined): Route {
  return {
    spec: v.spec,
    preprocess: v.preprocess,
    model: v.shards[shard] ?? v.shards[0]!,
    postprocess: v.postprocess,
    shard: v.spec.shards > 1 ? shard : undefined,
    fallbackFrom,
  };
}
