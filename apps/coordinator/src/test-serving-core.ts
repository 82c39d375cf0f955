import { ModelRegistry } from '@infermesh/registry';
import { loadHash } from '@infermesh/router';
import { InferenceService } from './inference-service.js';
import { LaneTable } from './lanes.js';
import { ModelRepositoryControl } from './model-repository-control.js';
import { ModelStatistics } from './model-statistics.js';
import { WorkerPool } from './worker-pool.js';

export interface TestServingCoreOptions {
  /** The registry, with whatever a test registered first. Default: an empty one. */
  registry?: ModelRegistry;
  maxElements?: number;
  maxInFlight?: number;
  drainTimeoutMs?: number;
}

/**
 * For tests: the coordinator's serving core as `main.ts` composes it — registry, pool, lanes (health checks
 * every minute, batching on), service and repository control — with nothing listening. Workers join the
 * pool; requests go through the service.
 */
export async function testServingCore(options: TestServingCoreOptions = {}) {
  const registry = options.registry ?? new ModelRegistry();
  const pool = new WorkerPool(registry);
  const statistics = new ModelStatistics();
  const lanes = new LaneTable(registry, pool, {
    placement: { default: 'colocated', models: {} }, fallbacks: [], strategy: 'least-connections', strategies: {},
    health: { intervalMs: 60_000, timeoutMs: 1_000, unhealthyThreshold: 2, healthyThreshold: 2 },
    outlier: { consecutiveFailures: 5, baseEjectionMs: 10_000, maxEjectionMs: 60_000, maxEjectionPercent: 50 },
    panicThreshold: 50, slowStartMs: 0, retryBudget: { percentCanRetry: 0.2, minRetriesPerSecond: 10 }, hash: await loadHash(), batching: true, statistics,
  });
  const service = new InferenceService(registry, lanes, undefined, { maxElements: options.maxElements ?? 100, maxInFlight: options.maxInFlight ?? 100 }, statistics);
  const repository = new ModelRepositoryControl(registry, pool, lanes, service, { drainTimeoutMs: options.drainTimeoutMs ?? 5_000 });
  return { registry, pool, statistics, lanes, service, repository };
}
