import {
  BASELINE_MODELS, baselineSystemLabel, PLACEMENT_VARIANTS, PROTOCOLS, RUNTIME_BATCH, SERIES,
  type BaselineModel, type BaselineSystem, type Measurement, type PlacementVariant, type PreprocessCost, type Protocol, type SeriesName,
} from '../scenarios/scenario.js';
import { failoverRows, frontDoorHeadlines, frontDoorRows, type FailoverRow, type FrontDoorRow } from './front-door-figures.js';

export interface FloorRatios {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface RatedMeasurement extends Measurement {
  /** This step over the floor at the same connections; absent when the floor has no such step. */
  vsFloor?: FloorRatios;
}

/** A ratio the README quotes, with its goal when it has one. */
export interface Headline {
  name: string;
  value: number;
  /** `{ max: 2 }`: the value should be at most 2; `{ min: 0.5 }`: at least 0.5. */
  goal?: { max: number } | { min: number };
  connections: number;
}

/** One placement step beside the co-located one at the same text length and connections. */
export interface PlacementRow {
  words: number;
  connections: number;
  variant: PlacementVariant;
  rps: number;
  p50: number;
  p99: number;
  /** CPU ms per answer by process role, when measured. */
  cpuMsPerRequest?: Measurement['cpuMsPerRequest'];
  /** This step over the co-located one; absent on the co-located row itself or when it was not measured. */
  vsColocated?: { rps: number; p50: number; p99: number };
}

/** One plain-server step: a system on one MLP, beside the plain server at the same model and connections. */
export interface BaselineRow {
  model: BaselineModel;
  connections: number;
  system: BaselineSystem;
  rps: number;
  p50: number;
  p99: number;
  /** Seconds the step ran, over all its rounds. */
  durationS: number;
  /** Rounds the step was measured in (its figures their median); 1 for a step measured at one go. */
  rounds: number;
  /** CPU ms per answer of all the system's processes together, when measured. */
  cpuMsPerAnswer?: number;
  /** The same by role, for an infermesh cluster. */
  cpuMsPerRequest?: Measurement['cpuMsPerRequest'];
  /** This step over the plain server's; absent on the plain server's own row or when it was not measured. */
  vsPlain?: { rps: number; p50: number; cpuMsPerAnswer?: number };
}

/**
 * The goals of issue #18 for each infermesh layout against the plain server: throughput at 64 connections
 * (at least even on the demo MLP, twice on the heavy one, where batching has compute to amortise), median
 * latency at 1 connection, and CPU per answer at 64 connections; and ahead of every peer at every load.
 */
export const BASELINE_GOALS = {
  rpsConnections: 64,
  rps: { demo: { min: 1 }, heavy: { min: 2 } } satisfies Record<BaselineModel, { min: number }>,
  p50Connections: 1,
  p50: { max: 2 },
  cpuConnections: 64,
  cpu: { max: 1.5 },
  vsPeer: { min: 1 },
} as const;

/** One protocols step: an MLP over one client protocol, beside the floor and JSON HTTP at the same connections. */
export interface ProtocolRow {
  model: BaselineModel;
  connections: number;
  protocol: Protocol;
  rps: number;
  p50: number;
  p99: number;
  /** CPU ms per answer of the coordinator process (its worker threads included), when measured. */
  cpuMsPerAnswer?: number;
  /** CPU ms per answer of the coordinator's main thread, when measured. */
  mainThreadCpuMsPerAnswer?: number;
  /** This step over the floor at the same connections; absent when the floor did not run there. */
  vsFloor?: { rps: number; p50: number; p99: number };
  /** This step over JSON HTTP on the same model and connections; absent on JSON's own row or when it was not measured. */
  vsJson?: { rps: number; p50: number; p99: number; cpuMsPerAnswer?: number; mainThreadCpuMsPerAnswer?: number };
}

/** Where the protocols' headline ratios are read: throughput and CPU under the most load, latency under the least. */
export const PROTOCOL_HEADLINES = { rps: 'highest', p50: 'lowest', cpu: 'highest' } as const;

export interface Figures {
  points: RatedMeasurement[];
  headlines: Headline[];
  /** The plain-server scenario's steps, by model, connections and system (plain server first). */
  baseline: BaselineRow[];
  /** The placement scenario's steps, by text length, connections and variant. */
  placement: PlacementRow[];
  /** The protocols scenario's steps, by model, connections and protocol (JSON HTTP first). */
  protocols: ProtocolRow[];
  /** The haproxy scenario's steps, by model, connections and front door (direct first), and its failover steps. */
  frontDoors: FrontDoorRow[];
  failovers: FailoverRow[];
  preprocessCosts: PreprocessCost[];
}

const VARIANT_ORDER = Object.keys(PLACEMENT_VARIANTS) as PlacementVariant[];

function placementRows(points: readonly Measurement[]): PlacementRow[] {
  const tagged = points.filter((p) => p.placement);
  const rows = tagged.map((p): PlacementRow => {
    const { words, variant } = p.placement!;
    const base = variant === 'colocated' ? undefined : find(points, SERIES.placement(words, 'colocated'), p.connections);
    return {
      words, connections: p.connections, variant, rps: p.rps, p50: p.p50, p99: p.p99,
      ...(p.cpuMsPerRequest ? { cpuMsPerRequest: p.cpuMsPerRequest } : {}),
      ...(base ? { vsColocated: { rps: p.rps / base.rps, p50: p.p50 / base.p50, p99: p.p99 / base.p99 } } : {}),
    };
  });
  return rows.sort((a, b) => a.words - b.words || a.connections - b.connections || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant));
}

const find = (points: readonly Measurement[], series: SeriesName, connections: number): Measurement | undefined =>
  points.find((p) => p.series === series && p.connections === connections);

/** The ratio of two series at the lowest connections both have, or undefined. */
function ratioAt(
  points: readonly Measurement[],
  a: SeriesName,
  b: SeriesName,
  metric: 'rps' | 'p50' | 'p99',
  pick: 'lowest' | 'highest' = 'lowest',
): { value: number; connections: number } | undefined {
  const shared = points
    .filter((p) => p.series === a && find(points, b, p.connections))
    .map((p) => p.connections)
    .sort((x, y) => (pick === 'lowest' ? x - y : y - x));
  const c = shared[0];
  if (c === undefined) return undefined;
  const value = (find(points, a, c) as Measurement)[metric] / (find(points, b, c) as Measurement)[metric];
  return Number.isFinite(value) ? { value, connections: c } : undefined;
}

const KIND_ORDER: Record<BaselineSystem['kind'], number> = { plain: 0, infermesh: 1, peer: 2 };
const MODEL_ORDER = Object.keys(BASELINE_MODELS) as BaselineModel[];

function baselineRows(points: readonly Measurement[]): BaselineRow[] {
  const rows = points.flatMap((p): BaselineRow[] => {
    if (!p.baseline) return [];
    const { model, system } = p.baseline;
    const plain = system.kind === 'plain' ? undefined : find(points, SERIES.baseline({ model, system: { kind: 'plain' } }), p.connections);
    const cpuRatio = plain?.cpuMsPerAnswer !== undefined && p.cpuMsPerAnswer !== undefined ? p.cpuMsPerAnswer / plain.cpuMsPerAnswer : undefined;
    return [{
      model, connections: p.connections, system, rps: p.rps, p50: p.p50, p99: p.p99, durationS: p.durationS, rounds: p.rounds ?? 1,
      ...(p.cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer: p.cpuMsPerAnswer } : {}),
      ...(p.cpuMsPerRequest ? { cpuMsPerRequest: p.cpuMsPerRequest } : {}),
      ...(plain ? { vsPlain: { rps: p.rps / plain.rps, p50: p.p50 / plain.p50, ...(cpuRatio !== undefined && Number.isFinite(cpuRatio) ? { cpuMsPerAnswer: cpuRatio } : {}) } } : {}),
    }];
  });
  // Stable: systems of one kind keep the order they were measured in (the layouts' table, the peers' list).
  return rows.sort((a, b) => MODEL_ORDER.indexOf(a.model) - MODEL_ORDER.indexOf(b.model) || a.connections - b.connections || KIND_ORDER[a.system.kind] - KIND_ORDER[b.system.kind]);
}

/** `a` over `b` at exactly `connections`, by `value`; undefined when either was not measured or the ratio is not finite. */
function ratioAtExactly(points: readonly Measurement[], a: SeriesName, b: SeriesName, connections: number, value: (m: Measurement) => number | undefined): { value: number; connections: number } | undefined {
  const x = find(points, a, connections);
  const y = find(points, b, connections);
  const vx = x && value(x);
  const vy = y && value(y);
  if (vx === undefined || vy === undefined) return undefined;
  const r = vx / vy;
  return Number.isFinite(r) ? { value: r, connections } : undefined;
}

/** The headline ratios of the plain-server scenario: each infermesh layout and each peer over the plain server, and infermesh over each peer. */
function baselineHeadlines(points: readonly Measurement[], add: (name: string, r: { value: number; connections: number } | undefined, goal?: Headline['goal']) => void): void {
  const systems = new Map<string, { model: BaselineModel; system: BaselineSystem }>();
  for (const p of points) if (p.baseline) systems.set(SERIES.baseline(p.baseline), p.baseline);
  const g = BASELINE_GOALS;
  for (const model of MODEL_ORDER) {
    const of = (kind: BaselineSystem['kind']) => [...systems.values()].filter((t) => t.model === model && t.system.kind === kind);
    const plain = SERIES.baseline({ model, system: { kind: 'plain' } });
    const label = BASELINE_MODELS[model].label;
    for (const tag of of('infermesh')) {
      const series = SERIES.baseline(tag);
      const who = `${label}: ${baselineSystemLabel(tag.system)}`;
      add(`${who} req/s ÷ plain server req/s`, ratioAtExactly(points, series, plain, g.rpsConnections, (m) => m.rps), g.rps[model]);
      add(`${who} p50 ÷ plain server p50`, ratioAtExactly(points, series, plain, g.p50Connections, (m) => m.p50), g.p50);
      add(`${who} CPU ms/answer ÷ plain server's`, ratioAtExactly(points, series, plain, g.cpuConnections, (m) => m.cpuMsPerAnswer), g.cpu);
      for (const peer of of('peer')) {
        // Ahead at every load: the lowest ratio over the connections both were measured at.
        const lowest = points
          .filter((p) => p.series === series)
          .map((p) => ratioAtExactly(points, series, SERIES.baseline(peer), p.connections, (m) => m.rps))
          .reduce<{ value: number; connections: number } | undefined>((min, r) => (r && (!min || r.value < min.value) ? r : min), undefined);
        add(`${who} req/s ÷ ${baselineSystemLabel(peer.system)} req/s (lowest over connections)`, lowest, g.vsPeer);
      }
    }
    for (const peer of of('peer')) {
      add(`${label}: ${baselineSystemLabel(peer.system)} req/s ÷ plain server req/s`, ratioAtExactly(points, SERIES.baseline(peer), plain, g.rpsConnections, (m) => m.rps));
    }
  }
}

const PROTOCOL_ORDER = Object.keys(PROTOCOLS) as Protocol[];
const finiteOrOmit = <K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> =>
  (value !== undefined && Number.isFinite(value) ? { [key]: value } : {}) as Partial<Record<K, number>>;

function protocolRows(points: readonly Measurement[]): ProtocolRow[] {
  const rows = points.flatMap((p): ProtocolRow[] => {
    if (!p.protocol) return [];
    const { model, protocol } = p.protocol;
    const floor = find(points, SERIES.floor, p.connections);
    const json = protocol === 'json' ? undefined : find(points, SERIES.protocol({ model, protocol: 'json' }), p.connections);
    const over = (value: (x: Measurement) => number | undefined): number | undefined => {
      const a = value(p);
      const b = json && value(json);
      return a !== undefined && b !== undefined ? a / b : undefined;
    };
    return [{
      model, connections: p.connections, protocol, rps: p.rps, p50: p.p50, p99: p.p99,
      ...finiteOrOmit('cpuMsPerAnswer', p.cpuMsPerAnswer),
      ...finiteOrOmit('mainThreadCpuMsPerAnswer', p.mainThreadCpuMsPerAnswer),
      ...(floor ? { vsFloor: { rps: p.rps / floor.rps, p50: p.p50 / floor.p50, p99: p.p99 / floor.p99 } } : {}),
      ...(json ? { vsJson: { rps: p.rps / json.rps, p50: p.p50 / json.p50, p99: p.p99 / json.p99, ...finiteOrOmit('cpuMsPerAnswer', over((x) => x.cpuMsPerAnswer)),
        ...finiteOrOmit('mainThreadCpuMsPerAnswer', over((x) => x.mainThreadCpuMsPerAnswer)) } } : {}),
    }];
  });
  return rows.sort((a, b) => MODEL_ORDER.indexOf(a.model) - MODEL_ORDER.indexOf(b.model) || a.connections - b.connections || PROTOCOL_ORDER.indexOf(a.protocol) - PROTOCOL_ORDER.indexOf(b.protocol));
}

/** Binary HTTP and gRPC over JSON HTTP on each model: req/s and CPU per answer at the highest connections both ran, p50 at the lowest. No goals: issue #15 asks what is measured. */
function protocolHeadlines(rows: readonly ProtocolRow[], add: (name: string, r: { value: number; connections: number } | undefined) => void): void {
  const at = (list: ProtocolRow[], pick: 'lowest' | 'highest', value: (r: ProtocolRow) => number | undefined): { value: number; connections: number } | undefined => {
    const measured = list.filter((r) => value(r) !== undefined).sort((a, b) => (pick === 'lowest' ? a.connections - b.connections : b.connections - a.connections));
    const r = measured[0];
    return r ? { value: value(r) as number, connections: r.connections } : undefined;
  };
  for (const model of MODEL_ORDER) {
    for (const protocol of PROTOCOL_ORDER.filter((p) => p !== 'json')) {
      const list = rows.filter((r) => r.model === model && r.protocol === protocol);
      const who = `${BASELINE_MODELS[model].label}: ${PROTOCOLS[protocol].label}`;
      add(`${who} req/s ÷ JSON HTTP req/s`, at(list, PROTOCOL_HEADLINES.rps, (r) => r.vsJson?.rps));
      add(`${who} p50 ÷ JSON HTTP p50`, at(list, PROTOCOL_HEADLINES.p50, (r) => r.vsJson?.p50));
      add(`${who} coordinator CPU ms/answer ÷ JSON HTTP's`, at(list, PROTOCOL_HEADLINES.cpu, (r) => r.vsJson?.cpuMsPerAnswer));
      add(`${who} coordinator main thread CPU ms/answer ÷ JSON HTTP's`, at(list, PROTOCOL_HEADLINES.cpu, (r) => r.vsJson?.mainThreadCpuMsPerAnswer));
    }
  }
}

export function goalMet(h: Headline): boolean | undefined {
  if (!h.goal) return undefined;
  return 'max' in h.goal ? h.value <= h.goal.max : h.value >= h.goal.min;
}

/** Every measurement as a ratio to the floor at the same connections, and the headline ratios. */
export function computeFigures(points: readonly Measurement[], preprocessCosts: readonly PreprocessCost[] = []): Figures {
  const rated = points.map((p): RatedMeasurement => {
    const floor = find(points, SERIES.floor, p.connections);
    return floor
      ? { ...p, vsFloor: { rps: p.rps / floor.rps, p50: p.p50 / floor.p50, p95: p.p95 / floor.p95, p99: p.p99 / floor.p99 } }
      : { ...p };
  });
  const headlines: Headline[] = [];
  const add = (name: string, r: { value: number; connections: number } | undefined, goal?: Headline['goal']): void => {
    if (r) headlines.push({ name, value: r.value, connections: r.connections, ...(goal ? { goal } : {}) });
  };
  add('coordinator HTTP p50 / floor p50 (low load)', ratioAt(points, SERIES.coordinatorHttp, SERIES.floor, 'p50'), { max: 2 });
  add('coordinator WebSocket p50 / floor p50', ratioAt(points, SERIES.coordinatorWs, SERIES.floor, 'p50'));
  add('coordinator HTTP req/s / floor req/s', ratioAt(points, SERIES.coordinatorHttp, SERIES.floor, 'rps', 'highest'));
  add('coordinator HTTP req/s, noop inline ×2 as npm start / nginx → upstream req/s', ratioAt(points, SERIES.coordinatorHttpNpmStart, SERIES.nginx, 'rps'), { min: 0.5 });
  add('coordinator HTTP req/s, noop on a worker process / nginx → upstream req/s', ratioAt(points, SERIES.coordinatorHttp, SERIES.nginx, 'rps'));
  add('coordinator WebSocket req/s / coordinator HTTP req/s', ratioAt(points, SERIES.coordinatorWs, SERIES.coordinatorHttp, 'rps'));
  add('heavy mlp 64→1024→1024→16 req/s, batching on / off', ratioAt(points, SERIES.mlpBatching, SERIES.mlp, 'rps', 'highest'), { min: 4 });
  // What batching gains the runtime itself, to read the engine's on / off above against (no goal).
  add(`heavy mlp 64→1024→1024→16 rows/s, ONNX Runtime alone, ${RUNTIME_BATCH} rows per run / 1`, ratioAt(points, SERIES.runtimeBatched, SERIES.runtimeSingle, 'rps'));
  // The other bound on it: with batching on, the same coordinator and worker process serve at most what they
  // serve with a model that costs nothing (the noop), so on / off cannot pass noop req/s ÷ off req/s.
  add('heavy mlp 64→1024→1024→16 batching on / off could reach at most: coordinator noop req/s (a worker process) / batching off req/s', ratioAtExactly(points, SERIES.coordinatorHttp, SERIES.mlp, 64, (x) => x.rps));
  add('mlp identical req/s, cache on / off', ratioAt(points, SERIES.identicalCached, SERIES.identical, 'rps'));
  add('heavy mlp 64→1024→1024→16 req/s, 2 workers / 1 worker', ratioAt(points, SERIES.mlpTwoWorkers, SERIES.mlpBatching, 'rps', 'highest'));
  baselineHeadlines(points, add);
  const protocols = protocolRows(points);
  protocolHeadlines(protocols, add);
  const frontDoors = frontDoorRows(points);
  frontDoorHeadlines(frontDoors, add);
  const words = [...new Set(points.flatMap((p) => (p.placement ? [p.placement.words] : [])))].sort((a, b) => a - b);
  for (const w of words) {
    const colocated = SERIES.placement(w, 'colocated');
    for (const [variant, short] of [['disaggregated', '1 worker + 1 processor'], ['disaggregated2', '1 worker + 2 processors']] as const) {
      const series = SERIES.placement(w, variant);
      add(`sentiment ${w} words req/s, disaggregated ${short} / co-located 2 workers`, ratioAt(points, series, colocated, 'rps', 'highest'));
      add(`sentiment ${w} words p99, disaggregated ${short} / co-located 2 workers`, ratioAt(points, series, colocated, 'p99', 'highest'));
    }
  }
  return { points: rated, headlines, baseline: baselineRows(points), placement: placementRows(points), protocols, frontDoors, failovers: failoverRows(points), preprocessCosts: [...preprocessCosts].sort((a, b) => a.words - b.words) };
}
