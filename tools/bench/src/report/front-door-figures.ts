import { BASELINE_MODELS, FRONT_DOORS, type BaselineModel, type FailoverFigures, type FrontDoor, type Measurement } from '../scenarios/scenario.js';

/** One haproxy step: an MLP through one front door, beside the direct one at the same model and connections. */
export interface FrontDoorRow {
  model: BaselineModel;
  connections: number;
  door: FrontDoor;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU ms per answer: the coordinators on the path summed, the workers, HAProxy (0 on the direct path), all of them. */
  cpu?: { coordinators: number; workers: number; proxy: number; total: number };
  /** This step against the direct one; absent on the direct row itself or when it was not measured. */
  vsDirect?: {
    rps: number;
    p50: number;
    /** p50 minus the direct p50, ms: the latency the front door adds. */
    p50AddedMs: number;
    p99: number;
    coordinatorCpu?: number;
    totalCpu?: number;
  };
}

/** The failover step of one MLP. */
export interface FailoverRow extends FailoverFigures {
  model: BaselineModel;
  connections: number;
  ok: number;
}

const DOOR_ORDER = Object.keys(FRONT_DOORS) as FrontDoor[];
const MODEL_ORDER = Object.keys(BASELINE_MODELS) as BaselineModel[];
const over = (a: number | undefined, b: number | undefined): number | undefined => {
  const r = a !== undefined && b !== undefined ? a / b : undefined;
  return r !== undefined && Number.isFinite(r) ? r : undefined;
};
const omitUndefined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function cpuOf(m: Measurement): FrontDoorRow['cpu'] {
  const c = m.cpuMsPerRequest;
  if (!c) return undefined;
  const proxy = c.proxy ?? 0;
  return { coordinators: c.coordinator, workers: c.modelWorkers, proxy, total: c.coordinator + c.modelWorkers + proxy };
}

/** Every front-door step (not the failover ones) with its ratios to the direct path, by model, connections and door. */
export function frontDoorRows(points: readonly Measurement[]): FrontDoorRow[] {
  const steps = points.filter((p) => p.frontDoor && !p.frontDoor.failover);
  const rows = steps.map((p): FrontDoorRow => {
    const { model, door } = p.frontDoor!;
    const direct = door === 'direct' ? undefined : steps.find((d) => d.frontDoor!.model === model && d.frontDoor!.door === 'direct' && d.connections === p.connections);
    const cpu = cpuOf(p);
    const directCpu = direct && cpuOf(direct);
    return {
      model, connections: p.connections, door, rps: p.rps, p50: p.p50, p99: p.p99, errors: p.errors,
      ...(cpu ? { cpu } : {}),
      ...(direct ? { vsDirect: omitUndefined({
        rps: p.rps / direct.rps, p50: p.p50 / direct.p50, p50AddedMs: p.p50 - direct.p50, p99: p.p99 / direct.p99,
        coordinatorCpu: over(cpu?.coordinators, directCpu?.coordinators), totalCpu: over(cpu?.total, directCpu?.total),
      }) } : {}),
    };
  });
  return rows.sort((a, b) => MODEL_ORDER.indexOf(a.model) - MODEL_ORDER.indexOf(b.model) || a.connections - b.connections || DOOR_ORDER.indexOf(a.door) - DOOR_ORDER.indexOf(b.door));
}

export function failoverRows(points: readonly Measurement[]): FailoverRow[] {
  return points.flatMap((p) => (p.frontDoor?.failover && p.failover ? [{ model: p.frontDoor.model, connections: p.connections, ok: p.ok, ...p.failover }] : []));
}

/**
 * The headline ratios of issue #19 on each MLP: what HAProxy adds to the median at 1 connection, and the
 * coordinators' CPU per answer with two behind HAProxy over one behind HAProxy (the same path, one more
 * coordinator), at the highest connections both ran. No goals: the issue asks what is measured.
 */
export function frontDoorHeadlines(rows: readonly FrontDoorRow[], add: (name: string, r: { value: number; connections: number } | undefined) => void): void {
  const find = (model: BaselineModel, door: FrontDoor, connections: number) => rows.find((r) => r.model === model && r.door === door && r.connections === connections);
  for (const model of MODEL_ORDER) {
    const label = BASELINE_MODELS[model].label;
    const lowest = rows.filter((r) => r.model === model && r.door === 'one' && r.vsDirect).sort((a, b) => a.connections - b.connections)[0];
    add(`${label}: HAProxy → 1 coordinator p50 ÷ direct p50`, lowest && { value: lowest.vsDirect!.p50, connections: lowest.connections });
    const shared = rows
      .filter((r) => r.model === model && r.door === 'two' && find(model, 'one', r.connections))
      .sort((a, b) => b.connections - a.connections)[0];
    const one = shared && find(model, 'one', shared.connections);
    const cpu = over(shared?.cpu?.coordinators, one?.cpu?.coordinators);
    add(`${label}: coordinators' CPU ms/answer, HAProxy → 2 ÷ HAProxy → 1`, shared && cpu !== undefined ? { value: cpu, connections: shared.connections } : undefined);
    add(`${label}: req/s, HAProxy → 2 coordinators ÷ direct`, shared?.vsDirect && { value: shared.vsDirect.rps, connections: shared.connections });
  }
}
