import type { Cluster } from '@infermesh/launcher';
import type { Cleanup } from '../cleanup.js';
import type { CpuPerRequest, LoadResult, OnAnswer } from '../load/load-result.js';

export type Mode = 'short' | 'full';

/** The scenarios by the name `--scenario` takes, in no particular order (run order: `scenarios/index.ts`). */
export const SCENARIO_IDS = ['floor', 'coordinator-noop', 'nginx-peer', 'mlp', 'cache-hit', 'workers-scaling', 'placement', 'plain-server', 'protocols', 'tracing', 'ocr', 'haproxy'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

/**
 * The clusters the placement scenario compares, each of three processes besides the coordinator
 * (or two and a second processor): where the sentiment model's pre- and post-processing run.
 */
export const PLACEMENT_VARIANTS = {
  colocated: { label: 'co-located, 2 workers', workers: 2, processors: 0, placement: 'colocated' },
  disaggregated: { label: 'disaggregated, 1 worker + 1 processor', workers: 1, processors: 1, placement: 'disaggregated' },
  disaggregated2: { label: 'disaggregated, 1 worker + 2 processors', workers: 1, processors: 2, placement: 'disaggregated' },
} as const;
export type PlacementVariant = keyof typeof PLACEMENT_VARIANTS;
export type PlacementSeries = `sentiment ${number} words, ${(typeof PLACEMENT_VARIANTS)[PlacementVariant]['label']}`;

/** The clusters of the ocr scenario: the recognizer's batching on or off; the processing co-located or on a processor. */
export const OCR_VARIANTS = {
  batching: { label: 'co-located, 2 workers, batching on', workers: 2, processors: 0, args: ['--cache', 'off'] },
  unbatched: { label: 'co-located, 2 workers, batching off', workers: 2, processors: 0, args: ['--cache', 'off', '--batching', 'off'] },
  disaggregated: { label: 'disaggregated, 1 worker + 1 processor, batching on', workers: 1, processors: 1, args: ['--cache', 'off', '--placement', 'disaggregated'] },
} as const;
export type OcrVariant = keyof typeof OCR_VARIANTS;
export type OcrSeries = `ocr, ${(typeof OCR_VARIANTS)[OcrVariant]['label']}`;

/**
 * The two MLPs of the plain-server scenario, by their layer widths (input first): the demo model as
 * `npm start` builds it, and the bench's heavier one, where a request costs real compute and batching
 * has something to amortise. The heavy one is also the model of the mlp scenarios (`ctx.repository`).
 */
export const BASELINE_MODELS = {
  demo: { label: 'demo mlp 64→256→256→16', dims: [64, 256, 256, 16] },
  heavy: { label: 'heavy mlp 64→1024→1024→16', dims: [64, 1024, 1024, 16] },
} as const;
export type BaselineModel = keyof typeof BASELINE_MODELS;

/** Who answered a plain-server step: the plain server, infermesh in one layout, or a peer engine. */
export type BaselineSystem = { kind: 'plain' } | { kind: 'infermesh'; layout: string } | { kind: 'peer'; peer: string };
export type BaselineSeries = `${(typeof BASELINE_MODELS)[BaselineModel]['label']}: ${string}`;

/** Which plain-server step a measurement is, so the report pairs systems without parsing series names. */
export interface BaselineTag {
  model: BaselineModel;
  system: BaselineSystem;
}

/** How a system is named in its series and in the report. */
export function baselineSystemLabel(system: BaselineSystem): string {
  switch (system.kind) {
    case 'plain':
      return 'plain node:http + onnxruntime-node';
    case 'infermesh':
      return `infermesh, ${system.layout}`;
    case 'peer':
      return system.peer;
  }
}

/**
 * The client protocols of the protocols scenario (issue #15), by how the report names them: the same
 * inference request as JSON over HTTP, as the binary tensor data extension over HTTP, and as a gRPC
 * ModelInfer with raw contents. JSON HTTP is the one the others are rated against.
 */
export const PROTOCOLS = {
  json: { label: 'JSON HTTP' },
  binary: { label: 'binary HTTP' },
  grpc: { label: 'gRPC' },
} as const;
export type Protocol = keyof typeof PROTOCOLS;
export type ProtocolSeries = `${(typeof BASELINE_MODELS)[BaselineModel]['label']} over ${(typeof PROTOCOLS)[Protocol]['label']}`;

/** Which protocols step a measurement is, so the report pairs protocols without parsing series names. */
export interface ProtocolTag {
  model: BaselineModel;
  protocol: Protocol;
}

/** The trace sampling ratios of the tracing scenario (issue #20): none, 1 % and every request. */
export const TRACE_SAMPLING = [0, 0.01, 1] as const;
export type TraceSampling = (typeof TRACE_SAMPLING)[number];
export type TracingSeries = `mlp, traces sampled ${string}, exported over OTLP`;

/** Which tracing step a measurement is, so the report pairs ratios without parsing series names. */
export interface TracingTag {
  sampling: TraceSampling;
}

/**
 * How the haproxy scenario's requests reach the coordinators (issue #19): straight to one, through HAProxy
 * to that one, and through HAProxy to two that dial the same two worker processes. `direct` is the baseline.
 */
export const FRONT_DOORS = {
  direct: { label: 'direct to 1 coordinator', coordinators: 1, haproxy: false },
  one: { label: 'HAProxy → 1 coordinator', coordinators: 1, haproxy: true },
  two: { label: 'HAProxy → 2 coordinators', coordinators: 2, haproxy: true },
} as const;
export type FrontDoor = keyof typeof FRONT_DOORS;
type ModelLabel = (typeof BASELINE_MODELS)[BaselineModel]['label'];
export type FrontDoorSeries = `${ModelLabel}, ${(typeof FRONT_DOORS)[FrontDoor]['label']}` | `${ModelLabel}, ${(typeof FRONT_DOORS)['two']['label']}, one SIGKILLed`;

/** Which haproxy step a measurement is, so the report pairs front doors without parsing series names. */
export interface FrontDoorTag {
  model: BaselineModel;
  door: FrontDoor;
  /** The failover step: one of two coordinators SIGKILLed halfway through. */
  failover?: boolean;
}

/** What the failover step saw after the SIGKILL. */
export interface FailoverFigures {
  /** Seconds into the step when the coordinator was killed. */
  killedAtS: number;
  /** Answers that were not 2xx (and socket errors) over the whole step. */
  failed: number;
  /** From the kill to the last non-2xx answer, ms; absent when none failed after it. */
  lastFailureAfterKillMs?: number;
  /** The longest successful request of the step, ms: the failover a client sees when HAProxy retried. */
  maxLatencyMs: number;
}

/** Rows per run of the runtime-alone batched series (mlp scenario): the most a lane gathers at 64 connections. */
export const RUNTIME_BATCH = 64;

/** The series every report, ratio and chart refers to, by one spelling. */
export const SERIES = {
  floor: 'floor: worker over transport',
  coordinatorHttp: 'coordinator HTTP noop',
  /** The noop as `npm start` serves it: inline, in 2 coordinator processes (`--processes 2`). */
  coordinatorHttpNpmStart: 'coordinator HTTP noop, inline ×2 as npm start',
  coordinatorWs: 'coordinator WebSocket noop',
  nginx: 'nginx → node upstream',
  mlp: 'mlp, batching off, 1 worker',
  mlpBatching: 'mlp, batching on, 1 worker',
  identical: 'mlp identical requests',
  identicalCached: 'mlp identical requests, cache on',
  mlpTwoWorkers: 'mlp, 2 workers',
  /** The heavy MLP in ONNX Runtime alone, no engine (runtime-loop.ts): one row per run; its req/s are rows/s. */
  runtimeSingle: 'heavy mlp, ONNX Runtime alone, 1 row per run',
  /** The same, `RUNTIME_BATCH` rows per run. */
  runtimeBatched: `heavy mlp, ONNX Runtime alone, ${RUNTIME_BATCH} rows per run` as const,
  /** The sentiment model with `words` words of text per request, in one placement variant. */
  placement: (words: number, variant: PlacementVariant): PlacementSeries => `sentiment ${words} words, ${PLACEMENT_VARIANTS[variant].label}`,
  /** One system of the plain-server scenario on one of its two MLPs. */
  baseline: (tag: BaselineTag): BaselineSeries => `${BASELINE_MODELS[tag.model].label}: ${baselineSystemLabel(tag.system)}`,
  /** One MLP of the protocols scenario over one client protocol. */
  protocol: (tag: ProtocolTag): ProtocolSeries => `${BASELINE_MODELS[tag.model].label} over ${PROTOCOLS[tag.protocol].label}`,
  /** The MLP with traces sampled at one ratio and exported. */
  tracing: (tag: TracingTag): TracingSeries => `mlp, traces sampled ${tag.sampling * 100} %, exported over OTLP`,
  /** The ocr pipeline on one cluster variant. */
  ocr: (variant: OcrVariant): OcrSeries => `ocr, ${OCR_VARIANTS[variant].label}`,
  /** One MLP through one front door of the haproxy scenario, or its failover step. */
  frontDoor: (tag: FrontDoorTag): FrontDoorSeries =>
    tag.failover ? `${BASELINE_MODELS[tag.model].label}, ${FRONT_DOORS.two.label}, one SIGKILLed` : `${BASELINE_MODELS[tag.model].label}, ${FRONT_DOORS[tag.door].label}`,
} as const;
type FixedSeries = Exclude<(typeof SERIES)[keyof typeof SERIES], (...args: never[]) => unknown>;
export type SeriesName = FixedSeries | PlacementSeries | BaselineSeries | ProtocolSeries | TracingSeries | OcrSeries | FrontDoorSeries;

/** Which placement step a measurement is, so the report can pair variants without parsing series names. */
export interface PlacementTag {
  words: number;
  variant: PlacementVariant;
}

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
  /** Set on a step measured in turns (`measureInTurns`): its figures are the median of this many rounds of `durationS / rounds` each. */
  rounds?: number;
  /** Set on the placement scenario's steps. */
  placement?: PlacementTag;
  /** Set on the plain-server scenario's steps. */
  baseline?: BaselineTag;
  /** Set on the protocols scenario's steps. */
  protocol?: ProtocolTag;
  /** Set on the tracing scenario's steps. */
  tracing?: TracingTag;
  /** Set on the haproxy scenario's steps. */
  frontDoor?: FrontDoorTag;
  /** Set on the haproxy scenario's failover step. */
  failover?: FailoverFigures;
  /** CPU ms per answer by process role, on the steps that measure it. */
  cpuMsPerRequest?: CpuPerRequest;
  /** CPU ms per answer of every process of the system under test together, on the steps that measure it. */
  cpuMsPerAnswer?: number;
  /** CPU ms per answer of the coordinator's main thread (its event loop: the client protocol's parsing and writing), on the steps that measure it. */
  mainThreadCpuMsPerAnswer?: number;
}

/** The CPU cost of the sentiment model's pre-processing (tokenize) for one request of `words` words. */
export interface PreprocessCost {
  words: number;
  /** Median and p99 of one request's pre-processing in the bench process, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Bytes of the request body, and of the bag of words pre-processing hands on (FP32 [1, V]). */
  bodyBytes: number;
  bowBytes: number;
}

export interface Skipped {
  scenario: string;
  reason: string;
}

export type ClusterStart = { ok: true; cluster: Cluster } | { ok: false; reason: string };

/** What a load step is: its scenario, series and connections, and the tag the report pairs it by. */
export interface MeasuredStep {
  scenario: string;
  series: SeriesName;
  connections: number;
  placement?: PlacementTag;
  baseline?: BaselineTag;
  protocol?: ProtocolTag;
  tracing?: TracingTag;
  frontDoor?: FrontDoorTag;
}

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
  /** Words per request text of the placement scenario, one load per entry (its CPU cost of pre-processing). */
  readonly preWords: readonly number[];
  /** The shared cluster (one worker), started on first use. */
  cluster(): Promise<Cluster>;
  /**
   * A cluster of its own with extra coordinator flags, on `repository` (default: `ctx.repository`);
   * `ok: false` when the coordinator refuses the flags.
   */
  startCluster(options: {
    name: string; workers: number; processors?: number; coordinatorArgs: readonly string[]; repository?: string; env?: NodeJS.ProcessEnv;
    /** The coordinator's own count of serving processes (`--processes`); above 1 the bench gives it no worker channel. */
    processes?: number;
  }): Promise<ClusterStart>;
  /**
   * A process or server started once under `key` and shared by `prepare` and `run`, so every
   * scenario's processes start in parallel before the first measured step.
   */
  resource<T>(key: string, start: () => Promise<T>): Promise<T>;
  /** Runs one load step with a progress line and records it. */
  measure(step: MeasuredStep, run: (onAnswer: OnAnswer) => Promise<LoadResult>): Promise<Measurement>;
  /**
   * Runs the steps of one comparison in turns, a few rounds over (A B C, A B C, …; `MEASURE_ROUNDS` in
   * bench-context.ts), and records each step as the median of its rounds (`medianOfRounds`): what disturbs
   * the machine for a few seconds then moves a round of every system, not one system's whole step. `run`
   * is given the round's length in seconds.
   */
  measureInTurns(steps: ReadonlyArray<{ step: MeasuredStep; run: (onAnswer: OnAnswer, durationS: number) => Promise<LoadResult> }>): Promise<Measurement[]>;
  /** Records what one request's pre-processing costs at a placement load, for the report. */
  recordPreprocessCost(cost: PreprocessCost): void;
  skip(scenario: string, reason: string): void;
}

export interface Scenario {
  /** What `--scenario` selects it by. */
  readonly id: ScenarioId;
  readonly name: string;
  /**
   * Checks the outside tools the scenario cannot run without (as wrk-run's `requireWrk`), throwing one
   * that names what is missing; the bench calls it before it starts anything.
   */
  requireTools?(): void;
  /** Starts what `run` needs (through `ctx.resource`), before any scenario measures. */
  prepare?(ctx: BenchContext): Promise<unknown>;
  run(ctx: BenchContext): Promise<void>;
}

/** The levels a scenario runs at: all of the sweep in full mode, `short` in short mode. */
export function levelsFor(ctx: BenchContext, short: readonly number[]): readonly number[] {
  return ctx.mode === 'full' ? ctx.levels : short;
}
