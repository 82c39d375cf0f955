import type { CpuMode } from './cpu-placement.js';
import { SCENARIO_IDS, type Mode, type ScenarioId } from './scenarios/scenario.js';

export interface BenchOptions {
  mode: Mode;
  /** Seconds per load step. */
  durationS: number;
  /** Connection counts of the sweep. */
  levels: number[];
  /** Flags for every coordinator the bench starts. */
  coordinatorArgs: string[];
  /** Extra coordinator flags that turn batching on (the "mlp batching on" variant). */
  batchingArgs: string[];
  /** Extra coordinator flags that turn the response cache on (the "cache on" variant). */
  cacheArgs: string[];
  /** Where the report goes, relative to the workspace root. */
  outDir: string;
  /** The scenarios to run; empty: every one. */
  scenarios: ScenarioId[];
  /** Words per request text in the placement scenario, one load step set per entry. */
  preWords: number[];
  /** Where the load generator and the systems under test run (see cpu-placement.ts). */
  cpus: CpuMode;
  help: boolean;
}

// The coordinator's flags for the "on" variants; a variant whose flags the coordinator refuses is
// skipped with the coordinator's message.
export const DEFAULT_BATCHING_ARGS = ['--batching', 'on'];
export const DEFAULT_CACHE_ARGS = ['--cache', 'memory'];
/** A cheap and an expensive pre-processing step: tokenizing 20 words, and 2000. */
export const DEFAULT_PRE_WORDS = [20, 2000];
const MAX_PRE_WORDS = 100_000;

export const USAGE = `usage: npm run bench -- [--short | --full] [options]

  --short                  about a minute: 4 s per step, 1/16/64 connections (default)
  --full                   the sweep: 10 s per step, 1/4/16/64/256 connections, latency-vs-load curves
  --duration S             seconds per step (overrides the mode's)
  --coordinator-args "…"   flags for every coordinator started, e.g. "--max-in-flight 8192"
  --batching-args "…"      flags that turn batching on (default "${DEFAULT_BATCHING_ARGS.join(' ')}")
  --cache-args "…"         flags that turn the response cache on (default "${DEFAULT_CACHE_ARGS.join(' ')}")
  --scenario NAME          run only this scenario (repeatable; the rest are skipped silently):
                           ${SCENARIO_IDS.join(', ')}
  --pre-words N[,N…]       words per request text in the placement scenario, one set of steps per
                           value: its CPU cost of pre-processing (default ${DEFAULT_PRE_WORDS.join(',')})
  --cpus shared|split      shared (default): the scheduler places every process; split: the load
                           generator on the last CPU, every system under test on the others, alike
                           for each (steadier from start to start; on 2 cores the system gets one)
  --out DIR                report folder (default docs/bench)
`;

const splitArgs = (value: string): string[] => value.split(/\s+/).filter(Boolean);

/** Parses the bench's command line; throws TypeError with the offending flag on a bad one. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let mode: Mode = 'short';
  let duration: number | undefined;
  const coordinatorArgs: string[] = [];
  let batchingArgs = DEFAULT_BATCHING_ARGS;
  let cacheArgs = DEFAULT_CACHE_ARGS;
  let outDir = 'docs/bench';
  const scenarios: ScenarioId[] = [];
  let preWords: number[] | undefined;
  let cpus: CpuMode = 'shared';
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new TypeError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--short':
        mode = 'short';
        break;
      case '--full':
        mode = 'full';
        break;
      case '--duration': {
        const raw = value();
        duration = Number(raw);
        if (!Number.isFinite(duration) || duration <= 0) throw new RangeError(`--duration must be a positive number of seconds, got "${raw}"`);
        break;
      }
      case '--coordinator-args':
        coordinatorArgs.push(...splitArgs(value()));
        break;
      case '--batching-args':
        batchingArgs = splitArgs(value());
        break;
      case '--cache-args':
        cacheArgs = splitArgs(value());
        break;
      case '--out':
        outDir = value();
        break;
      case '--scenario': {
        const raw = value();
        const id = SCENARIO_IDS.find((s) => s === raw);
        if (!id) throw new TypeError(`unknown scenario "${raw}": one of ${SCENARIO_IDS.join(', ')}`);
        if (!scenarios.includes(id)) scenarios.push(id);
        break;
      }
      case '--pre-words': {
        // Repeatable and comma-separated; the first use replaces the default.
        const raw = value();
        preWords ??= [];
        for (const part of raw.split(',')) {
          const n = Number(part);
          if (!Number.isInteger(n) || n < 1 || n > MAX_PRE_WORDS) {
            throw new RangeError(`--pre-words must be whole numbers of words within 1..${MAX_PRE_WORDS}, got "${raw}"`);
          }
          if (!preWords.includes(n)) preWords.push(n);
        }
        break;
      }
      case '--cpus': {
        const raw = value();
        if (raw !== 'split' && raw !== 'shared') throw new TypeError(`--cpus must be shared or split, got "${raw}"`);
        cpus = raw;
        break;
      }
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new TypeError(`unknown flag "${arg}"\n${USAGE}`);
    }
  }
  return {
    mode,
    durationS: duration ?? (mode === 'full' ? 10 : 4),
    levels: mode === 'full' ? [1, 4, 16, 64, 256] : [1, 16, 64],
    coordinatorArgs,
    batchingArgs,
    cacheArgs,
    outDir,
    scenarios,
    preWords: preWords ?? [...DEFAULT_PRE_WORDS],
    cpus,
    help,
  };
}
