import { createError, errorBase } from '@infermesh/foundation';

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

/** Base class of every error the load balancer throws or rejects with. */
export class LoadBalancerError extends errorBase<LoadBalancerErrorCode>('LoadBalancerError') {}

/**
 * No endpoint could take the request: none added, all draining, or all excluded by the caller. `members`
 * counts the members that are not draining; `excluded`, how many of them the caller's `exclude` set ruled out.
 */
export class NoEndpointError extends createError(LoadBalancerError, 'IM_LB_NO_ENDPOINT', 'NoEndpointError', (members: number, excluded: number) => `no endpoint available (${members} members, ${excluded} excluded)`, (members, excluded) => ({ members, excluded })) {}

/** `remove`, `drain` or `setWeight` named an id that is not a member. */
export class UnknownEndpointError extends createError(LoadBalancerError, 'IM_LB_UNKNOWN_ENDPOINT', 'UnknownEndpointError', (id: string) => `unknown endpoint "${id}"`, (id) => ({ id })) {}

/** `add` named an id that is already a member (draining members included). */
export class DuplicateEndpointError extends createError(LoadBalancerError, 'IM_LB_DUPLICATE_ENDPOINT', 'DuplicateEndpointError', (id: string) => `endpoint "${id}" is already a member`, (id) => ({ id })) {}

/** The balancer was closed: calls after `close()` throw it, and pending `drain()` promises reject with it. */
export class LoadBalancerClosedError extends createError(LoadBalancerError, 'IM_LB_CLOSED', 'LoadBalancerClosedError', () => 'the load balancer is closed') {}

/** `tryAcquire()`: members could take the request, but every one of them is at its capacity. */
export class AtCapacityError extends createError(LoadBalancerError, 'IM_LB_AT_CAPACITY', 'AtCapacityError', () => 'every endpoint is at its capacity') {}

/** `acquire()` waited until its deadline and no slot came free. */
export class AcquireTimeoutError extends createError(LoadBalancerError, 'IM_LB_ACQUIRE_TIMEOUT', 'AcquireTimeoutError', (deadline: number) => `no endpoint slot came free before the deadline (${deadline})`, (deadline) => ({ deadline })) {}

/** `acquire()`'s signal aborted while it waited; `cause` is the signal's reason. */
export class AcquireAbortedError extends createError(LoadBalancerError, 'IM_LB_ACQUIRE_ABORTED', 'AcquireAbortedError', () => 'the wait for an endpoint slot was aborted') {}
