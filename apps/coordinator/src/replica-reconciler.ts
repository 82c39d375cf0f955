import { systemClock, type Clock } from '@infermesh/foundation';
import type { Logger } from 'pino';
import { planPlacement, type ModelPlacement, type PlacementAction, type PlacementWorker } from '@infermesh/router';
import type { Worker, WorkerPool } from './worker-pool.js';

/** Where the reconciler's actions go: one worker at a time (ModelRepositoryControl's per-worker pieces). */
export interface ReplicaControl {
  loadOn(worker: Worker, model: string): Promise<void>;
  unloadFrom(worker: Worker, model: string): Promise<void>;
}

export interface ReplicaReconcilerOptions {
  /** A reconciliation every this many ms while leading, besides the pool's changes. */
  intervalMs: number;
  /** How long a worker that failed to load a model is not asked to load it again. */
  retryAfterMs: number;
  clock?: Clock | undefined;
  log?: Logger | undefined;
  /**
   * False while this coordinator's pool is still filling (workers registered in etcd not yet joined): a
   * plan on part of the cluster would load copies that exist on workers it cannot see yet. Runs wait for
   * it at most `settleMs` after `start`. Default: always true.
   */
  ready?: () => boolean;
  settleMs?: number;
  /** Each action's outcome, for the metrics. */
  onAction?: (action: PlacementAction, result: 'ok' | 'failed') => void;
}

export interface PlacementStatus {
  /** True while this coordinator reconciles (it leads placement). */
  leading: boolean;
  /** The asked-for models as the last reconciliation found them (before its actions), with any shortfall. */
  models: ModelPlacement[];
  /** When the last reconciliation ended, ms on the clock; undefined before the first. */
  lastRunAt: number | undefined;
  /** Actions taken since this coordinator started, by outcome. */
  actions: { ok: number; failed: number };
}

/**
 * The placement leader's loop: while this coordinator leads (`start` … `stop`), it plans the workers'
 * replicas (`planPlacement`) and carries the plan out through the worker channel, one action after
 * another, one reconciliation at a time. It runs when the pool changes (a worker joins, leaves, loads or
 * drops a model) and every `intervalMs`; a change during a run asks for one run more. A worker that
 * fails a load is avoided for that model for `retryAfterMs`.
 */
export class ReplicaReconciler {
  readonly #pool: WorkerPool;
  readonly #control: ReplicaControl;
  readonly #options: ReplicaReconcilerOptions;
  readonly #clock: Clock;
  /** Peer ids of the workers that announced they are stopping: nothing is placed on them. */
  readonly #draining = new Set<string>();
  /** Worker id → model → until when a load of it there is not tried again. */
  readonly #failed = new Map<string, Map<string, number>>();
  readonly #poke = (): void => this.#schedule();
  #leading = false;
  #timer: unknown;
  #startedAt = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #models: ModelPlacement[] = [];
  #lastRunAt: number | undefined;
  readonly #actions = { ok: 0, failed: 0 };

  constructor(pool: WorkerPool, control: ReplicaControl, options: ReplicaReconcilerOptions) {
    this.#pool = pool;
    this.#control = control;
    this.#options = options;
    this.#clock = options.clock ?? systemClock({ origin: 'monotonic', ref: false });
    pool.on('draining', (w) => {
      this.#draining.add(w.id);
      this.#poke();
    });
    pool.on('left', (w) => this.#draining.delete(w.id));
  }

  /** This coordinator leads: reconcile now, on every pool change, and every `intervalMs`. */
  start(): void {
    if (this.#leading) return;
    this.#leading = true;
    this.#startedAt = this.#clock.now();
    for (const event of ['joined', 'left', 'loaded', 'unloaded'] as const) this.#pool.on(event, this.#poke);
    this.#tick();
  }

  /** It no longer leads: no new action is started (one in flight finishes). */
  stop(): void {
    if (!this.#leading) return;
    this.#leading = false;
    for (const event of ['joined', 'left', 'loaded', 'unloaded'] as const) this.#pool.off(event, this.#poke);
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get status(): PlacementStatus {
    return { leading: this.#leading, models: this.#models, lastRunAt: this.#lastRunAt, actions: { ...this.#actions } };
  }

  /** Resolves when no reconciliation runs or is asked for (tests). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #tick(): void {
    this.#schedule();
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#options.intervalMs);
  }

  #schedule(): void {
    if (!this.#leading) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#run().catch((error: unknown) => this.#options.log?.error({ err: error }, 'placement reconciliation failed')).finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.#schedule();
      }
    });
  }

  async #run(): Promise<void> {
    const o = this.#options;
    if (o.ready && !o.ready() && this.#clock.now() - this.#startedAt < (o.settleMs ?? 0)) return;
    const workers = this.#pool.workers.filter((w) => w.info.role === 'model' && !this.#draining.has(w.id));
    const now = this.#clock.now();
    const plan = planPlacement(workers.map(placementView), {
      avoid: (workerId, model) => (this.#failed.get(workerId)?.get(model) ?? -Infinity) > now,
    });
    this.#models = plan.models;
    for (const m of plan.models) {
      if (m.shortfall) this.#options.log?.warn({ model: m.model, desired: m.desired, actual: m.actual, reason: m.shortfall }, 'placement falls short');
    }
    for (const action of plan.actions) {
      if (!this.#leading) break;
      // The worker may have left while earlier actions ran: the next run places its share.
      const worker = this.#pool.workers.find((w) => w.info.workerId === action.workerId);
      if (!worker) continue;
      const t0 = this.#clock.now();
      try {
        await (action.type === 'load' ? this.#control.loadOn(worker, action.model) : this.#control.unloadFrom(worker, action.model));
        this.#failed.get(action.workerId)?.delete(action.model);
        this.#actions.ok++;
        this.#options.onAction?.(action, 'ok');
        this.#options.log?.info({ ...action, ms: Math.round(this.#clock.now() - t0) }, 'placement action');
      } catch (error) {
        if (action.type === 'load') {
          const failed = this.#failed.get(action.workerId) ?? new Map<string, number>();
          failed.set(action.model, this.#clock.now() + this.#options.retryAfterMs);
          this.#failed.set(action.workerId, failed);
        }
        this.#actions.failed++;
        this.#options.onAction?.(action, 'failed');
        this.#options.log?.warn({ ...action, err: error }, 'placement action failed');
      }
    }
    this.#lastRunAt = this.#clock.now();
  }
}

/** A pool worker as the planner sees it: its own description, and its slots in use now. */
function placementView(w: Worker): PlacementWorker {
  return {
    id: w.info.workerId,
    memoryBytes: w.info.memoryBytes ?? Infinity,
    load: w.capacity.used / w.info.maxConcurrency,
    loaded: new Set(w.info.models.map((s) => s.name)),
    placeable: new Map(w.info.placeable.map((p) => [p.name, p])),
  };
}
