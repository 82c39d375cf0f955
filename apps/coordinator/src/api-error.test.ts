import { QueueFullError, BatcherClosedError, BatcherDeadlineError, ItemTooLargeError } from '@infermesh/batcher';
import { AcquireTimeoutError } from '@infermesh/load-balancer';
import { ModelNotFoundError, VersionNotFoundError } from '@infermesh/registry';
import { BackpressureError, ClosedError, RemoteError, TimeoutError } from '@infermesh/transport';
import { describe, expect, it } from 'vitest';
import { ApiError, isWorkerFault, toApiError, toApiErrorOfItem } from './api-error.js';

describe('toApiError', () => {
  it.each([
    [new ModelNotFoundError('m'), 'IM_MODEL_NOT_FOUND', 404],
    [new VersionNotFoundError('m', '9', ['1']), 'IM_VERSION_NOT_FOUND', 404],
    [new QueueFullError('m:1', 10), 'IM_OVERLOADED', 429],
    [new BatcherClosedError(), 'IM_SHUTTING_DOWN', 503],
    [new BatcherDeadlineError('m:1', 5, true), 'IM_TIMEOUT', 504],
    [new ItemTooLargeError('m:1', 100, 64), 'IM_INVALID_INPUT', 400],
    [new AcquireTimeoutError(5), 'IM_TIMEOUT', 504],
    [new TimeoutError('infer', 100), 'IM_TIMEOUT', 504],
    [new RemoteError('infer', 'bad', 'IM_WORKER_BAD_INPUT'), 'IM_INVALID_INPUT', 400],
    [new RemoteError('infer', 'busy', 'IM_WORKER_BUSY'), 'IM_WORKER_FAILED', 502],
    [new RemoteError('infer', 'odd', undefined), 'IM_WORKER_FAILED', 502],
    [new ClosedError(1006, 'gone'), 'IM_WORKER_FAILED', 502],
    [new Error('boom'), 'IM_INTERNAL', 500],
  ])('maps %s to %s', (error, code, http) => {
    const e = toApiError(error);
    expect(e).toMatchObject({ code, spec: { http } });
    expect(e.cause).toBe(error);
  });

  it('classifies by class, not by a code string that looks right', () => {
    expect(toApiError({ code: 'IM_MODEL_NOT_FOUND', message: 'x' }).code).toBe('IM_INTERNAL');
    expect(toApiError(Object.assign(new Error('x'), { code: 'IM_TRANSPORT_TIMEOUT' })).code).toBe('IM_INTERNAL');
  });

  it('keeps an ApiError as it is, and never shows the message of an unexpected error', () => {
    const e = new ApiError('IM_NO_WORKER', 'none');
    expect(toApiError(e)).toBe(e);
    expect(toApiError(new Error('secret path /etc/x')).message).toBe('internal error');
  });

  it('maps an item a worker failed by its worker code', () => {
    expect(toApiErrorOfItem({ code: 'IM_WORKER_BAD_INPUT', message: 'bad text' })).toMatchObject({ code: 'IM_INVALID_INPUT', message: 'bad text' });
    expect(toApiErrorOfItem({ code: 'IM_WORKER_RUNTIME', message: 'x' }).code).toBe('IM_WORKER_FAILED');
  });
});

describe('isWorkerFault', () => {
  it('is true when the channel broke or the worker refused the batch, false for the request\'s own failures', () => {
    expect(isWorkerFault(new ClosedError(1006, 'gone'))).toBe(true);
    expect(isWorkerFault(new BackpressureError('maxPendingCalls', 10))).toBe(true);
    expect(isWorkerFault(new RemoteError('infer', 'busy', 'IM_WORKER_BUSY'))).toBe(true);
    expect(isWorkerFault(new RemoteError('infer', 'bad', 'IM_WORKER_BAD_INPUT'))).toBe(false);
    expect(isWorkerFault(new TimeoutError('infer', 100))).toBe(false);
    expect(isWorkerFault(new Error('x'))).toBe(false);
  });
});
