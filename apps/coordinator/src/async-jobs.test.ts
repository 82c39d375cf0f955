import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from './api-error.js';
import { AsyncJobs } from './async-jobs.js';

const response = { model_name: 'm', outputs: [] };

describe('AsyncJobs', () => {
  it('reports pending, then done with the response', async () => {
    const jobs = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 10 });
    let finish!: () => void;
    const id = jobs.submit(() => new Promise((r) => (finish = () => r(response))));
    expect(jobs.get(id)).toEqual({ id, status: 'pending' });
    finish();
    await expect.poll(() => jobs.get(id)?.status).toBe('done');
    expect(jobs.get(id)).toEqual({ id, status: 'done', response });
  });

  it('keeps a failure with its code', async () => {
    const jobs = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 10 });
    const id = jobs.submit(() => Promise.reject(new ApiError('IM_INVALID_INPUT', 'bad shape')));
    await expect.poll(() => jobs.get(id)?.status).toBe('failed');
    expect(jobs.get(id)).toEqual({ id, status: 'failed', code: 'IM_INVALID_INPUT', error: 'bad shape' });
  });

  it('refuses new work beyond maxPending with IM_OVERLOADED', () => {
    const jobs = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 2 });
    jobs.submit(() => new Promise(() => undefined));
    jobs.submit(() => new Promise(() => undefined));
    expect(() => jobs.submit(() => Promise.resolve(response))).toThrow(expect.objectContaining({ code: 'IM_OVERLOADED', status: 429 }));
    expect(jobs.pending).toBe(2);
  });
});

describe('toApiError', () => {
  it.each([
    [{ code: 'IM_REGISTRY_MODEL_NOT_FOUND', message: 'x' }, 'IM_MODEL_NOT_FOUND', 404],
    [{ code: 'IM_TRANSPORT_TIMEOUT', message: 'x' }, 'IM_TIMEOUT', 504],
    [{ code: 'IM_TRANSPORT_REMOTE', remoteCode: 'IM_WORKER_BAD_INPUT', message: 'x' }, 'IM_INVALID_INPUT', 400],
    [{ code: 'IM_RUNTIME_RUN_FAILED', message: 'x' }, 'IM_WORKER_FAILED', 502],
    [new Error('boom'), 'IM_INTERNAL', 500],
  ])('maps %j to %s', (error, code, status) => {
    expect(toApiError(error)).toMatchObject({ code, status });
  });

  it('never shows the message of an unexpected error', () => {
    expect(toApiError(new Error('secret path /etc/x')).message).toBe('internal error');
  });
});
