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
