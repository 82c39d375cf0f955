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
  readonly #done: LRUCache<string, AsyncStatus>;
  readonly #pending = new Set<string>();
  readonly #options: AsyncJobsOptions;

  constructor(options: AsyncJobsOptions) {
    this.#options = options;
    this.#done = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  submit(run: () => Promise<InferResponseJson>): string {
    if (this.#pending.size >= this.#options.maxPending) {
      throw new ApiError('IM_OVERLOADED', `${this.#pending.size} async requests are already pending`);
    }
    const id = randomUUID();
    this.#pending.add(id);
    run().then(
      (response) => this.#done.set(id, { id, status: 'done', response }),
      (error: unknown) => this.#done.set(id, { id, status: 'failed', ...errorBody(toApiError(error)) }),
    ).finally(() => this.#pending.delete(id));
    return id;
  }

  get(id: string): AsyncStatus | undefined {
    if (this.#pending.has(id)) return { id, status: 'pending' };
    return this.#done.get(id);
  }

  get pending(): number {
    return this.#pending.size;
  }
}
