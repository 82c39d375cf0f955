import { MemoryStore } from '@infermesh/kvstore';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { AsyncJobs, type StoredJob } from './async-jobs.js';

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

  it('binds a result to the key that submitted it: another key, or none, sees an unknown id', async () => {
    const jobs = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 10 });
    let finish!: () => void;
    const id = jobs.submit(() => new Promise((r) => (finish = () => r(response))), 1);
    expect(jobs.get(id, 1)).toEqual({ id, status: 'pending' });
    expect(jobs.get(id, 0)).toBeUndefined();
    expect(jobs.get(id)).toBeUndefined();
    finish();
    await expect.poll(() => jobs.get(id, 1)?.status).toBe('done');
    expect(jobs.get(id, 0)).toBeUndefined();
    expect(jobs.get(id)).toBeUndefined();
  });

  it('refuses new work beyond maxPending with IM_OVERLOADED', () => {
    const jobs = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 2 });
    jobs.submit(() => new Promise(() => undefined));
    jobs.submit(() => new Promise(() => undefined));
    expect(() => jobs.submit(() => Promise.resolve(response))).toThrow(expect.objectContaining({ code: 'IM_OVERLOADED', retryAfterSeconds: 1 }));
    expect(jobs.pending).toBe(2);
  });

  it('shares a job through the store: submitted on one coordinator, fetched on another, still bound to its key', async () => {
    // One store both coordinators reach (Redis in production; the same interface in memory here).
    const store = new MemoryStore<StoredJob>({});
    const shared = { store, pendingTtlMs: 60_000 };
    const b = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 10, shared });
    const c = new AsyncJobs({ maxEntries: 10, ttlMs: 60_000, maxPending: 10, shared });
    let finish!: () => void;
    const id = b.submit(() => new Promise((r) => (finish = () => r(response))), 1);
    await expect.poll(() => c.lookup(id, 1)).toEqual({ id, status: 'pending' });
    finish();
    await expect.poll(async () => (await c.lookup(id, 1))?.status).toBe('done');
    expect(await c.lookup(id, 1)).toEqual({ id, status: 'done', response });
    expect(await c.lookup(id, 0)).toBeUndefined();
    expect(await c.lookup(id)).toBeUndefined();
    expect(await c.lookup('no-such-id', 1)).toBeUndefined();
    // Without keys the owner is null in the store, and matches only a fetch without a key.
    const open = b.submit(() => Promise.resolve(response));
    await expect.poll(async () => (await c.lookup(open))?.status).toBe('done');
    expect(await c.lookup(open, 0)).toBeUndefined();
  });
});
