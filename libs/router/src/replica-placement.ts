/**
 * Replica placement as a pure function: from what the workers say of themselves (memory offered, load,
 * models served, the models of their repository with each one's `replicas` ask and size), the loads and
 * unloads that bring every asked-for model to its count. Like the sharding strategies, it knows workers
 * and models only as strings; the coordinator's placement leader (`replica-reconciler.ts`) feeds it its
 * pool and carries the actions out, so nothing here talks to a worker and every case is a unit test.
 */

/** What one model of a worker's repository needs to be placed. */
export interface PlaceableEntry {
  /** Workers that should serve it (its manifest's ask); absent: no ask, the model is not placed. */
  replicas?: number | undefined;
  /** Memory it takes when loaded, bytes (its files' size). */
  memoryBytes: number;
}

/** A model worker as the planner sees it. */
export interface PlacementWorker {
  /** The worker's own id (stable across reconnects). */
  id: string;
  /** Memory offered to models, bytes; `Infinity` when the worker declares none. */
  memoryBytes: number;
  /** How busy it is now, as a fraction of its slots (batches in flight / `maxConcurrency`). */
  load: number;
  /** Names of the models it serves now. */
  loaded: ReadonlySet<string>;
  /** The models of its repository, by name. */
  placeable: ReadonlyMap<string, PlaceableEntry>;
}

export interface PlacementAction {
  type: 'load' | 'unload';
  model: string;
  workerId: string;
}

/** One asked-for model: the ask, the workers that serve it now, and why the plan falls short, if it does. */
export interface ModelPlacement {
  model: string;
  desired: number;
  /** Workers serving it now, before the plan's actions. */
  actual: number;
  servedBy: string[];
  /** Why the plan cannot reach `desired` (no holder, no room); absent when it can. */
  shortfall?: string;
}

export interface PlacementPlan {
  actions: PlacementAction[];
  models: ModelPlacement[];
}

export interface PlanOptions {
  /** Pairs not to load now (a load of it failed recently): the planner picks another worker, or falls short. */
  avoid?: (workerId: string, model: string) => boolean;
}

/** Each asked-for model's replica count: the largest ask among the workers whose repository holds it. */
export function desiredReplicas(workers: readonly PlacementWorker[]): Map<string, number> {
  const desired = new Map<string, number>();
  for (const w of workers) {
    for (const [model, entry] of w.placeable) {
      if (entry.replicas !== undefined) desired.set(model, Math.max(desired.get(model) ?? 0, entry.replicas));
    }
  }
  return desired;
}

const footprint = (w: PlacementWorker, model: string): number => w.placeable.get(model)?.memoryBytes ?? 0;

/**
 * The actions that bring every model with a `replicas` ask to its count, unloads first (they free
 * memory for the loads). Over-replicated: the extra copies leave the busiest workers (then the ones with
 * the least memory free). Under-replicated: copies go to the least busy workers that hold the model and
 * have room for it (then the most memory free). Ties go by worker id, so two leaders plan alike. A model
 * that cannot reach its count is reported in its `shortfall`, with what can be placed still planned.
 * Models without an ask are left as they are.
 */
export function planPlacement(workers: readonly PlacementWorker[], options: PlanOptions = {}): PlacementPlan {
  const desired = desiredReplicas(workers);
  const free = new Map(workers.map((w) => [w.id, w.memoryBytes - [...w.loaded].reduce((sum, m) => sum + footprint(w, m), 0)]));
  const freeOf = (w: PlacementWorker): number => free.get(w.id) ?? 0;
  const size = (model: string): number => Math.max(0, ...workers.map((w) => footprint(w, model)));
  // The largest models first: they are the hardest to fit.
  const models = [...desired.keys()].sort((a, b) => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0));
  const byId = (a: PlacementWorker, b: PlacementWorker): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const actions: PlacementAction[] = [];
  const placements = new Map<string, ModelPlacement>();
  const serving = new Map<string, PlacementWorker[]>();

  for (const model of models) {
    const want = desired.get(model)!;
    const servers = workers.filter((w) => w.loaded.has(model)).sort(byId);
    placements.set(model, { model, desired: want, actual: servers.length, servedBy: servers.map((w) => w.id) });
    const extra = servers.length - want;
    if (extra <= 0) {
      serving.set(model, servers);
      continue;
    }
    const leaving = [...servers].sort((a, b) => b.load - a.load || freeOf(a) - freeOf(b) || byId(a, b)).slice(0, extra);
    for (const w of leaving) {
      actions.push({ type: 'unload', model, workerId: w.id });
      free.set(w.id, freeOf(w) + footprint(w, model));
    }
    serving.set(model, servers.filter((w) => !leaving.includes(w)));
  }

  for (const model of models) {
    const placement = placements.get(model)!;
    let missing = placement.desired - (serving.get(model)?.length ?? 0);
    if (missing <= 0) continue;
    const holders = workers.filter((w) => !w.loaded.has(model) && w.placeable.has(model));
    const candidates = holders.filter((w) => !options.avoid?.(w.id, model));
    let loads = 0;
    while (missing > 0) {
      const fits = candidates.filter((w) => footprint(w, model) <= freeOf(w));
      const best = fits.sort((a, b) => a.load - b.load || freeOf(b) - freeOf(a) || byId(a, b))[0];
      if (!best) break;
      actions.push({ type: 'load', model, workerId: best.id });
      free.set(best.id, freeOf(best) - footprint(best, model));
      candidates.splice(candidates.indexOf(best), 1);
      loads++;
      missing--;
    }
    if (missing > 0) {
      const placed = placement.desired - missing;
      const avoided = holders.some((w) => options.avoid?.(w.id, model)) ? ' (or failed to load it recently)' : '';
      placement.shortfall = holders.length === 0
        ? `${placed} of ${placement.desired} replicas: no other worker holds it in its repository`
        : `${placed} of ${placement.desired} replicas: the other ${holders.length - loads} worker(s) holding it lack ${size(model)} bytes free${avoided}`;
    }
  }
  return { actions, models: [...placements.values()].sort((a, b) => (a.model < b.model ? -1 : 1)) };
}
