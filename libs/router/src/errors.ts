import { createError, errorBase } from '@infermesh/foundation';

/**
 * Every failure the router reports, as a code a caller can switch on without parsing messages.
 * The README documents each one; a test fails if one is missing there.
 */
export const ROUTER_ERROR_CODES = [
  'IM_ROUTER_NO_NODE',
  'IM_ROUTER_UNKNOWN_NODE',
  'IM_ROUTER_DUPLICATE_NODE',
  'IM_ROUTER_UNKNOWN_TARGET',
  'IM_ROUTER_NO_HEALTHY_NODE',
  'IM_ROUTER_RETRY_BUDGET_EXHAUSTED',
  'IM_ROUTER_HASH_NOT_LOADED',
] as const;
export type RouterErrorCode = (typeof ROUTER_ERROR_CODES)[number];

/** Base class of every error the router throws. */
export class RouterError extends errorBase<RouterErrorCode>('RouterError') {}

/** A lookup on a strategy (or a shard of a target) that holds no node at all. */
export class NoNodeError extends createError(RouterError, 'IM_ROUTER_NO_NODE', 'NoNodeError', (where: string) => `no node to route to in ${where}`) {}

/** `remove` or `unregister` named a node that is not there. */
export class UnknownNodeError extends createError(RouterError, 'IM_ROUTER_UNKNOWN_NODE', 'UnknownNodeError', (node: string) => `unknown node "${node}"`, (node) => ({ node })) {}

/** `add` or `register` named a node that is already there. */
export class DuplicateNodeError extends createError(RouterError, 'IM_ROUTER_DUPLICATE_NODE', 'DuplicateNodeError', (node: string) => `node "${node}" is already present`, (node) => ({ node })) {}

/** A routing table was asked for a target that has neither a route nor a registered node. */
export class UnknownTargetError extends createError(RouterError, 'IM_ROUTER_UNKNOWN_TARGET', 'UnknownTargetError', (target: string) => `unknown target "${target}"`, (target) => ({ target })) {}

/** Every candidate (and every fallback target's candidate) was unhealthy or already tried. */
export class NoHealthyNodeError extends createError(RouterError, 'IM_ROUTER_NO_HEALTHY_NODE', 'NoHealthyNodeError', (key: string, tried: readonly string[]) => `no healthy node for key "${key}" (${tried.length} candidates checked)`, (key, tried) => ({ key, tried })) {}

/** A retry was refused: retries in the window already use up the budget. Fail the request instead. */
export class RetryBudgetExhaustedError extends createError(RouterError, 'IM_ROUTER_RETRY_BUDGET_EXHAUSTED', 'RetryBudgetExhaustedError', () => 'retry budget exhausted: retry refused') {}

/** A strategy was built without a `hash` option before `await loadHash()` had resolved once. */
export class HashNotLoadedError extends createError(RouterError, 'IM_ROUTER_HASH_NOT_LOADED', 'HashNotLoadedError', () => 'no hash function: call `await loadHash()` once at startup or pass `hash`') {}
