import { PLACEMENT_VARIANTS, SERIES, type Measurement, type PlacementVariant, type PreprocessCost, type SeriesName } from '../scenarios/scenario.js';

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

export interface Figures {
  points: RatedMeasurement[];
  headlines: Headline[];
  /** The placement scenario's steps, by text length, connections and variant. */
  placement: PlacementRow[];
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
  add('coordinator HTTP req/s / nginx → upstream req/s', ratioAt(points, SERIES.coordinatorHttp, SERIES.nginx, 'rps'), { min: 0.5 });
  add('coordinator WebSocket req/s / coordinator HTTP req/s', ratioAt(points, SERIES.coordinatorWs, SERIES.coordinatorHttp, 'rps'));
  add('mlp req/s, batching on / off', ratioAt(points, SERIES.mlpBatching, SERIES.mlp, 'rps', 'highest'));
  add('mlp identical req/s, cache on / off', ratioAt(points, SERIES.identicalCached, SERIES.identical, 'rps'));
  add('mlp req/s, 2 workers / 1 worker', ratioAt(points, SERIES.mlpTwoWorkers, SERIES.mlpBatching, 'rps', 'highest'));
  const words = [...new Set(points.flatMap((p) => (p.placement ? [p.placement.words] : [])))].sort((a, b) => a - b);
  for (const w of words) {
    const colocated = SERIES.placement(w, 'colocated');
    for (const [variant, short] of [['disaggregated', '1 worker + 1 processor'], ['disaggregated2', '1 worker + 2 processors']] as const) {
      const series = SERIES.placement(w, variant);
      add(`sentiment ${w} words req/s, disaggregated ${short} / co-located 2 workers`, ratioAt(points, series, colocated, 'rps', 'highest'));
      add(`sentiment ${w} words p99, disaggregated ${short} / co-located 2 workers`, ratioAt(points, series, colocated, 'p99', 'highest'));
    }
  }
  return { points: rated, headlines, placement: placementRows(points), preprocessCosts: [...preprocessCosts].sort((a, b) => a.words - b.words) };
}
