import { ApiError, apiCodeOfWorkerCode, WORKER_ERRORS, isWorkerErrorCode } from '@infermesh/contracts';
import {
  BatcherAbortedError, BatcherClosedError, BatcherDeadlineError, ItemTooLargeError, QueueFullError,
} from '@infermesh/batcher';
import { AcquireAbortedError, AcquireTimeoutError } from '@infermesh/load-balancer';
import { ModelNotFoundError, VersionNotFoundError } from '@infermesh/registry';
import {
  AbortedError, BackpressureError, ClosedError, HeartbeatTimeoutError, NotConnectedError, ProtocolError, RemoteError, TimeoutError,
  TransportError,
} from '@infermesh/transport';

import { WorkerChannelError } from './worker-channel-error.js';

export { ApiError };

/**
 * Whether a failed call says the worker, not the request, is at fault, so that another worker may
 * succeed: the channel broke, or the worker refused the batch (contracts' `WORKER_ERRORS`).
 */
export function isWorkerFault(error: unknown): boolean {
  if (error instanceof RemoteError) return error.remoteCode !== undefined && isWorkerErrorCode(error.remoteCode) && WORKER_ERRORS[error.remoteCode].fault;
  return (
    error instanceof ClosedError || error instanceof NotConnectedError || error instanceof BackpressureError ||
    error instanceof ProtocolError || error instanceof HeartbeatTimeoutError
  );
}

/**
 * Turns anything thrown on the way to an answer into the ApiError the client gets, by class: the one
 * place library and worker failures become client codes. Unknown failures stay opaque (IM_INTERNAL).
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const as = (code: ConstructorParameters<typeof ApiError>[0]): ApiError => new ApiError(code, message, { cause: error });
  if (error instanceof ModelNotFoundError) return as('IM_MODEL_NOT_FOUND');
  if (error instanceof VersionNotFoundError) return as('IM_VERSION_NOT_FOUND');
  if (error instanceof QueueFullError) return as('IM_OVERLOADED');
  if (error instanceof BatcherClosedError) return as('IM_SHUTTING_DOWN');
  if (error instanceof ItemTooLargeError) return as('IM_INVALID_INPUT');
  if (
    error instanceof BatcherDeadlineError || error instanceof BatcherAbortedError || error instanceof AcquireTimeoutError ||
    error instanceof AcquireAbortedError || error instanceof TimeoutError || error instanceof AbortedError
  ) {
    return as('IM_TIMEOUT');
  }
  if (error instanceof RemoteError) return as(error.remoteCode === undefined ? 'IM_WORKER_FAILED' : apiCodeOfWorkerCode(error.remoteCode));
  if (error instanceof TransportError) return as('IM_WORKER_FAILED');
  // A worker that broke its model's contract, when no other worker could answer instead.
  if (error instanceof WorkerChannelError) return as('IM_WORKER_FAILED');
  return new ApiError('IM_INTERNAL', 'internal error', { cause: error });
}

/** The ApiError of an item a worker answered with an error (contracts' `WORKER_ERRORS` say which code). */
export function toApiErrorOfItem(error: { code: string; message: string }): ApiError {
  return new ApiError(apiCodeOfWorkerCode(error.code), error.message);
}
