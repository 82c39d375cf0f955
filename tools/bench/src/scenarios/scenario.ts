import type { Cluster } from '@infermesh/launcher';
import type { Cleanup } from '../cleanup.js';
import type { LoadResult, OnAnswer } from '../load/load-result.js';

export type Mode = 'short' | 'full';

/** The series every report, ratio and chart refers to, by one spelling. */
export const SERIES = {
  floor: 'floor: worker over transport',
  coordinatorHttp: 'coordinator HTTP noop',
  coordinatorWs: 'coordinator WebSocket noop',
  nginx: 'nginx → node upstream',
  mlp: 'mlp, batching off, 1 worker',
  mlpBatching: 'mlp, batching on, 1 worker',
  identical: 'mlp identical requests',
  identicalCached: 'mlp identical requests, cache on',
  mlpTwoWorkers: 'mlp, 2 workers',
} as const;
export type SeriesName = (typeof SERIES)[keyof typeof SERIES];

/** One load step's figures: offered load is `connections` callers, each with one request in flight. */
export interface Measurement {
  scenario: string;
  series: SeriesName;
  connections: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  errors: number;
  durationS: number;
}

export interface Skipped {
  scenario: string;
  reason: string;
}

export type ClusterStart = { ok: true; cluster: Cluster } | { ok: false; reason: string };

/** What a scenario may use; everything it starts goes through `cleanup`. */
export interface BenchContext {
  readonly mode: Mode;
  readonly durationS: number;
  /** Connection counts of the sweep (a subset in short mode). */
  readonly levels: readonly number[];
  readonly repository: string;
  /** A scratch folder removed at the end. */
  readonly tempDir: string;
  readonly cleanup: Cleanup;
  /** Extra flags for a coordinator, by variant: `base` goes to every coordinator. */
  readonly coordinatorArgs: { base: readonly string[]; batching: readonly string[]; cache: readonly string[] };
  /** The shared cluster (one worker), started on first use. */
  cluster(): Promise<Cluster>;
  /** A cluster of its own with extra coordinator flags; `ok: false` when the coordinator refuses them. */
  startCluster(options: { name: string; workers: number; coordinatorArgs: readonly string[] }): Promise<ClusterStart>;
  /**
   * A process or server started once under `key` and shared by `prepare` and `run`, so every
   * scenario's processes start in parallel before the first measured step.
   */
  resource<T>(key: string, start: () => Promise<T>): Promise<T>;
  /** Runs one load step with a progress line and records it. */
  measure(
    step: { scenario: string; series: SeriesName; connections: number },
    run: (onAnswer: OnAnswer) => Promise<LoadResult>,
  ): Promise<Measurement>;
  skip(scenario: string, reason: string): void;
}

export interface Scenario {
  readonly name: string;
  /** Starts what `run` needs (through `ctx.resource`), before any scenario measures. */
  prepare?(ctx: BenchContext): Promise<unknown>;
  run(ctx: BenchContext): Promise<void>;
}

/** The levels a scenario runs at: all of the sweep in full mode, `short` in short mode. */
export function levelsFor(ctx: BenchContext, short: readonly number[]): readonly number[] {
  return ctx.mode === 'full' ? ctx.levels : short;
}
