export { LoadBalancer } from './load-balancer.js';
export { Capacity } from './capacity.js';
export type { ReleaseOutcome, Lease, AcquireOptions, TryAcquireOptions, LoadBalancerSnapshot } from './load-balancer.js';
export type { LoadBalancerEvents, StateChangeEvent, PanicEvent, MembershipEvent } from './events.js';
export type { EndpointState, EndpointMetrics } from './endpoint-state.js';
export {
  LoadBalancerOptionsSchema, LeastLatencyOptionsSchema, HealthOptionsSchema, OutlierOptionsSchema, SlowStartOptionsSchema,
  EndpointOptionsSchema,
} from './options.js';
export type { LoadBalancerOptions, EndpointOptions, HealthCheck } from './options.js';
export { systemClock } from './clock.js';
export type { Clock, RandomSource } from './clock.js';
export { STRATEGY_NAMES } from './strategies/strategy.js';
export type { Strategy, StrategyName, Candidate, PickContext } from './strategies/strategy.js';
export { createStrategy } from './strategies/create-strategy.js';
export type { StrategySettings } from './strategies/create-strategy.js';
export { RoundRobin } from './strategies/round-robin.js';
export { SmoothWeightedRoundRobin } from './strategies/smooth-weighted-round-robin.js';
export { LeastConnections } from './strategies/least-connections.js';
export { WeightedRandom } from './strategies/weighted-random.js';
export { PowerOfTwoChoices } from './strategies/power-of-two-choices.js';
export { LeastLatency } from './strategies/least-latency.js';
export { LatencyEstimator } from './latency-estimator.js';
export {
  LOAD_BALANCER_ERROR_CODES, LoadBalancerError, NoEndpointError, UnknownEndpointError, DuplicateEndpointError, LoadBalancerClosedError,
  AtCapacityError, AcquireTimeoutError, AcquireAbortedError,
} from './errors.js';
export type { LoadBalancerErrorCode } from './errors.js';
