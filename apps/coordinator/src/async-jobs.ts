import { randomUUID } from 'node:crypto';
import { errorBody, type AsyncStatus, type InferResponseJson } from '@infermesh/contracts';
import { LRUCache } from 'lru-cache';
import { ApiError, toApiError } from './api-error.js';

export interface AsyncJobsOptions {
  /** Results kept at most; the oldest are dropped first. */
  maxEntries: number;
  /** How long a finished result can be fetched. */
  ttlMs: number;
  /** Jobs still running at once; beyond it a submit is refused with IM_OVERLOADED. */
  maxPending: number;
}

/**
 * Async mode: a submitted request gets an id at once; its result is kept, bounded in count and
 * time, until fetched. A pending job is never evicted, so no accepted work is silently lost.
 */
export class AsyncJobs {
  readonly #done: LRUCache<string, { owner: number | undefined; status: AsyncStatus }>;
  /** Running jobs by id, with the API key (its index) that submitted each. */
  readonly #pending = new Map<string, number | undefined>();
  readonly #options: AsyncJobsOptions;

  constructor(options: AsyncJobsOptions) {
    this.#options = options;
    this.#done = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  /**
   * Starts a job and returns its id. `owner` is the API key that submitted it (its index, undefined
   * without keys): only the same owner can read the result.
   */
  submit(run: () => Promise<InferResponseJson>, owner?: number): string {
    if (this.#pending.size >= this.#options.maxPending) {
      throw new ApiError('IM_OVERLOADED', `${this.#pending.size} async requests are already pending`);
    }
    const id = randomUUID();
    this.#pending.set(id, owner);
    run().then(
      (response) => this.#done.set(id, { owner, status: { id, status: 'done', response } }),
      (error: unknown) => this.#done.set(id, { owner, status: { id, status: 'failed', ...errorBody(toApiError(error)) } }),
    ).finally(() => this.#pending.delete(id));
    return id;
  }

  /** The job's status, or undefined for an unknown id and for a job another owner submitted (indistinguishable on purpose). */
  get(id: string, owner?: number): AsyncStatus | undefined {
    if (this.#pending.has(id)) return this.#pending.get(id) === owner ? { id, status: 'pending' } : undefined;
    const done = this.#done.get(id);
    return done && done.owner === owner ? done.status : undefined;
  }

  get pending(): number {
    return this.#pending.size;
  }
}
