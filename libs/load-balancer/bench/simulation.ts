import { LoadBalancer, type Lease, type StrategyName } from '../src/index.js';
import { seededRandom } from '../tests/manual-clock.js';
import { EventQueue } from './event-queue.js';

export interface SimulationSettings {
  readonly endpoints: number;
  readonly meanServiceMs: number;
  /** Index of the endpoint whose mean service time is `slowFactor` times longer. */
  readonly slowFactor: number;
  /** Offered load as a fraction of total capacity. */
  readonly utilisation: number;
  readonly requests: number;
  /** Requests at the start left out of the figures. */
  readonly warmup: number;
  readonly seed: number;
}

export interface SimulationResult {
  readonly strategy: StrategyName;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** Fraction of requests sent to the slow endpoint. */
  readonly slowShare: number;
  readonly simulatedSeconds: number;
}

interface Job {
  readonly arrivedAt: number;
  readonly lease: Lease<number>;
  readonly index: number;
}

const percentile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;

/**
 * Poisson arrivals into `endpoints` single-server FIFO queues; endpoint 0 serves `slowFactor` times
 * slower. Service times are exponential. Latency = queueing + service, reported to the balancer
 * through the lease, on the simulated clock.
 */
export function simulate(strategy: StrategyName, s: SimulationSettings): SimulationResult {
  const clock = new EventQueue();
  const random = seededRandom(s.seed);
  const serviceRandom = seededRandom(s.seed + 1);
  const arrivalRandom = seededRandom(s.seed + 2);
  const lb = new LoadBalancer<number>({ strategy, clock, random, outlier: { enabled: false } });
  const means = Array.from({ length: s.endpoints }, (_, i) => (i === 0 ? s.meanServiceMs * s.slowFactor : s.meanServiceMs));
  for (let i = 0; i < s.endpoints; i++) lb.add(`e${i}`, i);
  const capacityPerMs = means.reduce((a, m) => a + 1 / m, 0);
  const meanGapMs = 1 / (capacityPerMs * s.utilisation);
  const exp = (r: () => number, mean: number) => -Math.log(1 - r()) * mean;

  const queues: Job[][] = means.map(() => []);
  const busy = means.map(() => false);
  const latencies = new Float64Array(s.requests - s.warmup);
  let recorded = 0;
  let sentToSlow = 0;
  let seq = 0;

  const startNext = (e: number) => {
    const job = queues[e]?.shift();
    if (job === undefined) {
      busy[e] = false;
      return;
    }
    busy[e] = true;
    clock.setTimeout(() => {
      const latencyMs = clock.now() - job.arrivedAt;
      job.lease.release({ ok: true, latencyMs });
      if (job.index >= s.warmup) latencies[recorded++] = latencyMs;
      startNext(e);
    }, exp(serviceRandom, means[e] ?? 1));
  };

  const arrive = () => {
    const index = seq++;
    const lease = lb.tryAcquire();
    if (index >= s.warmup && lease.endpoint === 0) sentToSlow += 1;
    queues[lease.endpoint]?.push({ arrivedAt: clock.now(), lease, index });
    if (!busy[lease.endpoint]) startNext(lease.endpoint);
    if (seq < s.requests) clock.setTimeout(arrive, exp(arrivalRandom, meanGapMs));
  };
  clock.setTimeout(arrive, 0);
  clock.run();
  lb.close();

  const sorted = latencies.slice(0, recorded).sort();
  return {
    strategy,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    slowShare: sentToSlow / (s.requests - s.warmup),
    simulatedSeconds: clock.now() / 1000,
  };
}

