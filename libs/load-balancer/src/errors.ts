/**
 * Every failure the load balancer reports, as a code a caller can switch on without parsing messages.
 * The README documents each one; a test fails if one is missing there.
 */
export const LOAD_BALANCER_ERROR_CODES = [
  'IM_LB_NO_ENDPOINT',
  'IM_LB_UNKNOWN_ENDPOINT',
  'IM_LB_DUPLICATE_ENDPOINT',
  'IM_LB_CLOSED',
  'IM_LB_AT_CAPACITY',
  'IM_LB_ACQUIRE_TIMEOUT',
  'IM_LB_ACQUIRE_ABORTED',
] as const;
export type LoadBalancerErrorCode = (typeof LOAD_BALANCER_ERROR_CODES)[number];

interface LoadBalancerErrorOptions {
  cause?: unknown;
}

/** Base class of every error the load balancer throws or rejects with. */
export class LoadBalancerError extends Error {
  override name = 'LoadBalancerError';
  readonly code: LoadBalancerErrorCode;
  constructor(code: LoadBalancerErrorCode, message: string, options?: LoadBalancerErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** No endpoint could take the request: none added, all draining, or all excluded by the caller. */
export class NoEndpointError extends LoadBalancerError {
  override name = 'NoEndpointError';
  /** Members that are not draining. */
  readonly members: number;
  /** How many of them the caller's `exclude` set ruled out. */
  readonly excluded: number;
  constructor(members: number, excluded: number, options?: LoadBalancerErrorOptions) {
    super('IM_LB_NO_ENDPOINT', `no endpoint available (${members} members, ${excluded} excluded)`, options);
    this.members = members;
    this.excluded = excluded;
  }
}

/** `remove`, `drain` or `setWeight` named an id that is not a member. */
export class UnknownEndpointError extends LoadBalancerError {
  override name = 'UnknownEndpointError';
  readonly id: string;
  constructor(id: string, options?: LoadBalancerErrorOptions) {
    super('IM_LB_UNKNOWN_ENDPOINT', `unknown endpoint "${id}"`, options);
    this.id = id;
  }
}

/** `add` named an id that is already a member (draining members included). */
export class DuplicateEndpointError extends LoadBalancerError {
  override name = 'DuplicateEndpointError';
  readonly id: string;
  constructor(id: string, options?: LoadBalancerErrorOptions) {
    super('IM_LB_DUPLICATE_ENDPOINT', `endpoint "${id}" is already a member`, options);
    this.id = id;
  }
}

/** The balancer was closed: calls after `close()` throw it, and pending `drain()` promises reject with it. */
export class LoadBalancerClosedError extends LoadBalancerError {
  override name = 'LoadBalancerClosedError';
  constructor(options?: LoadBalancerErrorOptions) {
    super('IM_LB_CLOSED', 'the load balancer is closed', options);
  }
}

/** `tryAcquire()`: members could take the request, but every one of them is at its capacity. */
export class AtCapacityError extends LoadBalancerError {
  override name = 'AtCapacityError';
  constructor(options?: LoadBalancerErrorOptions) {
    super('IM_LB_AT_CAPACITY', 'every endpoint is at its capacity', options);
  }
}

/** `acquire()` waited until its deadline and no slot came free. */
export class AcquireTimeoutError extends LoadBalancerError {
  override name = 'AcquireTimeoutError';
  readonly deadline: number;
  constructor(deadline: number, options?: LoadBalancerErrorOptions) {
    super('IM_LB_ACQUIRE_TIMEOUT', `no endpoint slot came free before the deadline (${deadline})`, options);
    this.deadline = deadline;
  }
}

/** `acquire()`'s signal aborted while it waited; `cause` is the signal's reason. */
export class AcquireAbortedError extends LoadBalancerError {
  override name = 'AcquireAbortedError';
  constructor(options?: LoadBalancerErrorOptions) {
    super('IM_LB_ACQUIRE_ABORTED', 'the wait for an endpoint slot was aborted', options);
  }
}
