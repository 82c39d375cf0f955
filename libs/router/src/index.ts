export type { ShardingStrategy } from './strategy.js';
export { createShardingStrategy } from './create-strategy.js';
export { ModuloStrategy } from './strategies/modulo.js';
export { HashRing } from './strategies/hash-ring.js';
export { RendezvousStrategy } from './strategies/rendezvous.js';
export { JumpStrategy, jumpHash } from './strategies/jump.js';
export { BoundedLoadStrategy } from './strategies/bounded-load.js';
export type { Lease } from './strategies/bounded-load.js';
export { loadHash, defaultHash } from './hash.js';
export type { Hasher } from './hash.js';
export { RetryBudget } from './retry-budget.js';
export { Router, RouterOptionsSchema } from './router.js';
export type { RouterOptions, RouteOptions } from './router.js';
export { RoutingTable } from './routing-table.js';
export { desiredReplicas, planPlacement } from './replica-placement.js';
export type { ModelPlacement, PlaceableEntry, PlacementAction, PlacementPlan, PlacementWorker, PlanOptions } from './replica-placement.js';
export type { Registration, RoutingTableChange, RoutingTableEvents, ResolveOptions, Resolution } from './routing-table.js';
export {
  STRATEGY_NAMES, ShardingOptionsSchema, RetryBudgetOptionsSchema, RouteConfigSchema, RoutingTableOptionsSchema,
} from './options.js';
export type {
  StrategyName, ShardingOptions, RetryBudgetOptions, RouteConfig, ParsedRouteConfig, RoutingTableOptions,
} from './options.js';
export {
  ROUTER_ERROR_CODES, RouterError, NoNodeError, UnknownNodeError, DuplicateNodeError, UnknownTargetError,
  NoHealthyNodeError, RetryBudgetExhaustedError, HashNotLoadedError,
} from './errors.js';
export type { RouterErrorCode } from './errors.js';
