import type { Capacity } from './capacity.js';
import type { Clock } from './clock.js';
import { LatencyEstimator } from './latency-estimator.js';
import { LatencyWindow } from './latency-window.js';
import type { Candidate } from './strategies/strategy.js';

export type EndpointState = 'healthy' | 'unhealthy' | 'ejected' | 'draining';

/** One endpoint as `snapshot()` reports it. */
export interface EndpointMetrics {
  readonly id: string;
  readonly state: EndpointState;
  /** The configured weight. */
  readonly weight: number;
  /** The weight strategies use now: `weight` times the slow-start factor. */
  readonly effectiveWeight: number;
  readonly outstanding: number;
  /** Slots the endpoint's capacity has, and how many are taken (by every balancer sharing it). */
  readonly capacity: { readonly limit: number; readonly used: number };
  /** Released leases, whatever their outcome. */
  readonly requests: number;
  /** Releases with an endpoint failure. */
  readonly failures: number;
  /** Releases with `failure: 'request'`: counted here, never against the endpoint. */
  readonly requestFailures: number;
  /** `failures / requests` since the endpoint was added; 0 before the first request. */
  readonly errorRate: number;
  readonly ejections: number;
  readonly latency: {
    readonly ewmaMs: number | undefined;
    readonly p50Ms: number | undefined;
    readonly p90Ms: number | undefined;
    readonly p99Ms: number | undefined;
    /** Samples the percentiles are taken over (the last `latencyWindow`). */
    readonly samples: number;
  };
}

export interface RecordSettings {
  readonly decayMs: number;
  readonly penaltyHalfLifeMs: number;
  readonly latencyWindow: number;
  readonly slowStartMs: number;
  readonly slowStartMinFraction: number;
}

/** The balancer's book-keeping for one member. Internal: strategies see it through `Candidate`. */
export class EndpointRecord<E> implements Candidate<E> {
  readonly id: string;
  readonly endpoint: E;
  readonly capacity: Capacity;
  /** Unsubscribes from `capacity`'s free slots. */
  unsubscribe: () => void = () => undefined;
  baseWeight: number;
  outstanding = 0;
  requests = 0;
  failures = 0;
  requestFailures = 0;
  activeHealthy = true;
  ejected = false;
  draining = false;
  state: EndpointState = 'healthy';
  readonly estimator: LatencyEstimator;
  readonly window: LatencyWindow;
  readonly #clock: Clock;
  readonly #settings: RecordSettings;
  #rampFrom = 0;
  #rampUntil = 0;

  constructor(id: string, endpoint: E, weight: number, capacity: Capacity, clock: Clock, settings: RecordSettings) {
    this.id = id;
    this.endpoint = endpoint;
    this.capacity = capacity;
    this.baseWeight = weight;
    this.#clock = clock;
    this.#settings = settings;
    this.estimator = new LatencyEstimator(settings.decayMs, settings.penaltyHalfLifeMs);
    this.window = new LatencyWindow(settings.latencyWindow);
  }

  /** What the flags add up to; draining wins over unhealthy, unhealthy over ejected. */
  derive(): EndpointState {
    if (this.draining) return 'draining';
    if (!this.activeHealthy) return 'unhealthy';
    if (this.ejected) return 'ejected';
    return 'healthy';
  }

  /** Begins (or restarts) the slow-start ramp at the current time. */
  startSlowStart(): void {
    if (this.#settings.slowStartMs <= 0) return;
    this.#rampFrom = this.#clock.now();
    this.#rampUntil = this.#rampFrom + this.#settings.slowStartMs;
  }

  /** `baseWeight × f`, `f` rising linearly from `slowStartMinFraction` to 1 over the ramp. */
  get weight(): number {
    if (this.#rampUntil === 0) return this.baseWeight;
    const now = this.#clock.now();
    if (now >= this.#rampUntil) {
      this.#rampUntil = 0;
      return this.baseWeight;
    }
    const min = this.#settings.slowStartMinFraction;
    const progress = Math.max(0, now - this.#rampFrom) / this.#settings.slowStartMs;
    return this.baseWeight * (min + (1 - min) * progress);
  }

  latencyCost(now: number): number | undefined {
    return this.estimator.cost(now);
  }

  metrics(ejections: number): EndpointMetrics {
    const [p50Ms, p90Ms, p99Ms] = this.window.percentiles([0.5, 0.9, 0.99]);
    return {
      id: this.id,
      state: this.state,
      weight: this.baseWeight,
      effectiveWeight: this.weight,
      outstanding: this.outstanding,
      capacity: { limit: this.capacity.limit, used: this.capacity.used },
      requests: this.requests,
      failures: this.failures,
      requestFailures: this.requestFailures,
      errorRate: this.requests === 0 ? 0 : this.failures / this.requests,
      ejections,
      latency: { ewmaMs: this.estimator.ewmaMs, p50Ms, p90Ms, p99Ms, samples: this.window.size },
    };
  }
}
