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

interface RouterErrorOptions {
  cause?: unknown;
}

/** Base class of every error the router throws. */
export class RouterError extends Error {
  override name = 'RouterError';
  readonly code: RouterErrorCode;
  constructor(code: RouterErrorCode, message: string, options?: RouterErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A lookup on a strategy (or a shard of a target) that holds no node at all. */
export class NoNodeError extends RouterError {
  override name = 'NoNodeError';
  constructor(where: string, options?: RouterErrorOptions) {
    super('IM_ROUTER_NO_NODE', `no node to route to in ${where}`, options);
  }
}

/** `remove` or `unregister` named a node that is not there. */
export class UnknownNodeError extends RouterError {
  override name = 'UnknownNodeError';
  readonly node: string;
  constructor(node: string, options?: RouterErrorOptions) {
    super('IM_ROUTER_UNKNOWN_NODE', `unknown node "${node}"`, options);
    this.node = node;
  }
}

/** `add` or `register` named a node that is already there. */
export class DuplicateNodeError extends RouterError {
  override name = 'DuplicateNodeError';
  readonly node: string;
  constructor(node: string, options?: RouterErrorOptions) {
    super('IM_ROUTER_DUPLICATE_NODE', `node "${node}" is already present`, options);
    this.node = node;
  }
}

/** A routing table was asked for a target that has neither a route nor a registered node. */
export class UnknownTargetError extends RouterError {
  override name = 'UnknownTargetError';
  readonly target: string;
  constructor(target: string, options?: RouterErrorOptions) {
    super('IM_ROUTER_UNKNOWN_TARGET', `unknown target "${target}"`, options);
    this.target = target;
  }
}

/** Every candidate (and every fallback target's candidate) was unhealthy or already tried. */
export class NoHealthyNodeError extends RouterError {
  override name = 'NoHealthyNodeError';
  readonly key: string;
  readonly tried: readonly string[];
  constructor(key: string, tried: readonly string[], options?: RouterErrorOptions) {
    super('IM_ROUTER_NO_HEALTHY_NODE', `no healthy node for key "${key}" (${tried.length} candidates checked)`, options);
    this.key = key;
    this.tried = tried;
  }
}

/** A retry was refused: retries in the window already use up the budget. Fail the request instead. */
export class RetryBudgetExhaustedError extends RouterError {
  override name = 'RetryBudgetExhaustedError';
  constructor(options?: RouterErrorOptions) {
    super('IM_ROUTER_RETRY_BUDGET_EXHAUSTED', 'retry budget exhausted: retry refused', options);
  }
}

/** A strategy was built without a `hash` option before `await loadHash()` had resolved once. */
export class HashNotLoadedError extends RouterError {
  override name = 'HashNotLoadedError';
  constructor(options?: RouterErrorOptions) {
    super('IM_ROUTER_HASH_NOT_LOADED', 'no hash function: call `await loadHash()` once at startup or pass `hash`', options);
  }
}
