import type { FailoverFigures } from '../scenarios/scenario.js';
import type { LatencySummary } from './latency-recorder.js';

/** What one load step measured: successful answers per second and their latency. */
export interface LoadResult {
  /** Successful (2xx or ok) answers per second of the step. */
  rps: number;
  latency: LatencySummary;
  /** Successful answers. */
  ok: number;
  /** Failed answers, non-2xx statuses, socket errors and timeouts. */
  errors: number;
  durationS: number;
  /** CPU ms per successful answer, by the role of the processes that spent it, when the step measured it. */
  cpuMsPerRequest?: CpuPerRequest;
  /** CPU ms per successful answer of every process measured together, when the step measured it. */
  cpuMsPerAnswer?: number;
  /** CPU ms per successful answer of the coordinator's main thread (its event loop), when the step measured it. */
  mainThreadCpuMsPerAnswer?: number;
  /** What a step that killed a process under load saw, when it did. */
  failover?: FailoverFigures;
}

export interface CpuPerRequest {
  coordinator: number;
  /** Every model worker together. */
  modelWorkers: number;
  /** Every processor together (0 when there are none). */
  processors: number;
  /** The load balancer in front (HAProxy), when there is one. */
  proxy?: number;
}

/** Called on every answer, so a progress line can count while the step runs. */
export type OnAnswer = (ok: boolean) => void;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** The median of a figure every result has, or undefined when one lacks it. */
function medianOf(results: readonly LoadResult[], figure: (r: LoadResult) => number | undefined): number | undefined {
  const values = results.map(figure);
  return values.every((v): v is number => v !== undefined) ? median(values) : undefined;
}

/**
 * One step measured in rounds (the systems of a comparison taking turns each round): each figure is the
 * median of the rounds' (req/s, each percentile, each CPU figure on its own), answers and errors are
 * summed. A few seconds of a noisy neighbour, or a scheduler that puts the server on the load generator's
 * CPU for a while, then moves one round of each system rather than the whole step of one.
 */
export function medianOfRounds(results: readonly LoadResult[]): LoadResult {
  if (results.length === 0) throw new RangeError('medianOfRounds needs at least one round');
  const m = (figure: (r: LoadResult) => number | undefined): number => medianOf(results, figure) as number;
  const cpuRoles = medianOf(results, (r) => r.cpuMsPerRequest?.coordinator) !== undefined;
  const proxy = medianOf(results, (r) => r.cpuMsPerRequest?.proxy);
  const cpuMsPerAnswer = medianOf(results, (r) => r.cpuMsPerAnswer);
  const mainThread = medianOf(results, (r) => r.mainThreadCpuMsPerAnswer);
  return {
    rps: m((r) => r.rps),
    latency: {
      p50: m((r) => r.latency.p50), p95: m((r) => r.latency.p95), p99: m((r) => r.latency.p99), mean: m((r) => r.latency.mean),
      max: Math.max(...results.map((r) => r.latency.max)), count: results.reduce((n, r) => n + r.latency.count, 0),
    },
    ok: results.reduce((n, r) => n + r.ok, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    durationS: results.reduce((n, r) => n + r.durationS, 0),
    ...(cpuRoles
      ? {
          cpuMsPerRequest: {
            coordinator: m((r) => r.cpuMsPerRequest?.coordinator), modelWorkers: m((r) => r.cpuMsPerRequest?.modelWorkers),
            processors: m((r) => r.cpuMsPerRequest?.processors), ...(proxy !== undefined ? { proxy } : {}),
          },
        }
      : {}),
    ...(cpuMsPerAnswer !== undefined ? { cpuMsPerAnswer } : {}),
    ...(mainThread !== undefined ? { mainThreadCpuMsPerAnswer: mainThread } : {}),
  };
}
