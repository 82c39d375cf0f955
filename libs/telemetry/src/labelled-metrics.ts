import type { Metric, Registry } from 'prom-client';

/** One exposed value, as prom-client's metrics give them from `get()`: a histogram's carry their `metricName`. */
export interface ExposedValue {
  labels: Record<string, string | number>;
  /** A histogram's series labels, kept apart from `le` for the exposition (prom-client's form). */
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

/** What `get()` answers: prom-client's form, which its registry formats and its `AggregatorRegistry` merges. */
export interface ExposedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: ExposedValue[];
}

/** A series' label values, one per label name. */
export type LabelValues<L extends string> = { readonly [K in L]: string };

interface LabelledConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: readonly Registry[];
}

/**
 * A metric whose series are found by walking one map per label, in `labelNames` order: no label object is
 * copied, validated or hashed into a key string per observation. prom-client does all three on every
 * `observe` and `inc` (0.4–1 µs for a histogram of three labels, 0.2–0.4 µs for a counter: `bench/metrics.bench.ts`), and a
 * coordinator makes about eight per request. What a series holds and how it is exposed is the subclass's.
 * Registered in prom-client registries like prom-client's own metrics, and read through the same `get()`
 * shape, so exposition, `getMetricsAsJSON` and `AggregatorRegistry` treat it as theirs.
 */
abstract class LabelledMetric<L extends string, S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly aggregator = 'sum' as const;
  #root = new Map<string, unknown>();
  /** Series in the order they were first seen: the exposition's order. */
  #series: Array<{ labels: LabelValues<L>; series: S }> = [];

  constructor(config: LabelledConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = [...config.labelNames];
    // prom-client's registry takes any object with its metrics' shape; its types name only its own classes.
    for (const registry of config.registers) registry.registerMetric(this as unknown as Metric);
  }

  protected abstract create(): S;

  /** The series of these label values, made at its first use. Throws TypeError when a label is missing. */
  protected seriesOf(labels: LabelValues<L>): S {
    const [level, key] = this.#slot(labels);
    let series = level.get(key) as S | undefined;
    if (series === undefined) {
      series = this.create();
      level.set(key, series);
      const own = {} as Record<L, string>;
      for (const name of this.labelNames) own[name] = labels[name];
      this.#series.push({ labels: own, series });
    }
    return series;
  }

  /** Where the series of these label values is kept: the map of the last label, and its value there (maps made on the way). */
  #slot(labels: LabelValues<L>): [Map<string, unknown>, string] {
    const names = this.labelNames;
    let level = this.#root;
    for (let i = 0; i < names.length - 1; i++) {
      const value = labelValue(labels, names[i]!, this.name);
      let next = level.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) level.set(value, (next = new Map()));
      level = next;
    }
    return [level, names.length === 0 ? '' : labelValue(labels, names[names.length - 1]!, this.name)];
  }

  /** Drops the series of these label values (e.g. of a worker that left). */
  remove(labels: LabelValues<L>): void {
    const kept = this.#series.filter((s) => this.labelNames.some((n) => s.labels[n] !== labels[n]));
    this.reset();
    for (const entry of kept) {
      const [level, key] = this.#slot(entry.labels);
      level.set(key, entry.series);
      this.#series.push(entry);
    }
  }

  /** Drops every series (prom-client's `Registry.resetMetrics` calls it). */
  reset(): void {
    this.#root = new Map();
    this.#series = [];
  }

  protected get entries(): ReadonlyArray<{ labels: LabelValues<L>; series: S }> {
    return this.#series;
  }
}

function labelValue(labels: Record<string, string>, name: string, metric: string): string {
  const value = labels[name];
  if (typeof value !== 'string') throw new TypeError(`metric ${metric}: label "${name}" is missing`);
  return value;
}

interface HistogramCells {
  /** Per bucket, observations at or below its bound and above the previous one; the last is above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** A Prometheus histogram (what prom-client's `Histogram` exposes), with the series lookup of `LabelledMetric`. */
export class LabelledHistogram<L extends string> extends LabelledMetric<L, HistogramCells> {
  readonly type = 'histogram' as const;
  readonly #bounds: readonly number[];

  constructor(config: LabelledConfig<L> & { buckets: readonly number[] }) {
    super(config);
    this.#bounds = [...config.buckets];
  }

  protected create(): HistogramCells {
    return { counts: new Float64Array(this.#bounds.length + 1), sum: 0, count: 0 };
  }

  observe(labels: LabelValues<L>, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`metric ${this.name}: value is not a finite number: ${value}`);
    const cells = this.seriesOf(labels);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    cells.counts[i]! += 1;
    cells.sum += value;
    cells.count += 1;
  }

  /**
   * prom-client's histogram form: per series, cumulative `_bucket`s (`le`, then `+Inf`), `_sum`, `_count`, the
   * series' labels apart (`sharedLabels`), where the registry's exposition writes them: after a registry's
   * default labels, as prom-client's own histograms are written.
   */
  async getForPromString(): Promise<ExposedMetric> {
    const values: ExposedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, series } of this.entries) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: labels, value: series.count, metricName: bucket });
      values.push({ labels: {}, sharedLabels: labels, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As `getForPromString`, each value's labels whole (`le` first): what `getMetricsAsJSON` gives. */
  async get(): Promise<ExposedMetric> {
    const exposed = await this.getForPromString();
    exposed.values = exposed.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return exposed;
  }
}

/** A Prometheus counter (what prom-client's `Counter` exposes), with the series lookup of `LabelledMetric`. */
export class LabelledCounter<L extends string> extends LabelledMetric<L, { value: number }> {
  readonly type = 'counter' as const;

  protected create(): { value: number } {
    return { value: 0 };
  }

  /** Adds `by` (default 1; 0 makes the series exist at 0, so `increase()` sees its first event). */
  inc(labels: LabelValues<L>, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new TypeError(`metric ${this.name}: a counter is increased by a finite number ≥ 0, not ${by}`);
    this.seriesOf(labels).value += by;
  }

  async get(): Promise<ExposedMetric> {
    const values = this.entries.map(({ labels, series }) => ({ labels: { ...labels }, value: series.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
