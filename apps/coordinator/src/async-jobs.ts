import { randomUUID } from 'node:crypto';
import { errorBody, type AsyncStatus, type InferResponseJson } from '@infermesh/contracts';
import type { KeyValueStore } from '@infermesh/kvstore';
import { LRUCache } from 'lru-cache';
import { ApiError, toApiError } from './api-error.js';

export interface AsyncJobsOptions {
  /** Results kept at most; the oldest are dropped first. */
  maxEntries: number;
  /** How long a finished result can be fetched. */
  ttlMs: number;
  /** Jobs still running at once; beyond it a submit is refused with IM_OVERLOADED. */
  maxPending: number;
  /**
   * Shared with other coordinators (Redis): a job's state is written there too, so any coordinator
   * answers a fetch. A pending marker lives `pendingTtlMs` (a job whose coordinator died is then unknown).
   */
  shared?: { store: KeyValueStore<StoredJob>; pendingTtlMs: number } | undefined;
  /** The other processes of this coordinator (`processes` > 1), asked for a job this one does not hold. */
  siblings?: ((id: string, owner: number | undefined) => Promise<AsyncStatus | undefined>) | undefined;
}

/** A job's state as shared between coordinators: the owner (API key index) and the status. */
export interface StoredJob {
  owner: number | null;
  status: AsyncStatus;
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
    this.#share(id, owner, { id, status: 'pending' }, this.#options.shared?.pendingTtlMs ?? 0);
    const finish = (status: AsyncStatus): void => {
      this.#done.set(id, { owner, status });
      this.#share(id, owner, status, this.#options.ttlMs);
    };
    run().then(
      (response) => finish({ id, status: 'done', response }),
      (error: unknown) => finish({ id, status: 'failed', ...errorBody(toApiError(error)) }),
    ).finally(() => this.#pending.delete(id));
    return id;
  }

  /** Best effort: with Redis down a job is still served by this coordinator (its own memory), not by others. */
  #share(id: string, owner: number | undefined, status: AsyncStatus, ttlMs: number): void {
    void this.#options.shared?.store.set(id, { owner: owner ?? null, status }, { ttlMs }).catch(() => undefined);
  }

  /**
   * The job's status from this coordinator's memory, else from the shared store (a job submitted to
   * another coordinator), else from this coordinator's other processes; undefined for an unknown id or
   * another owner's job, as `get`.
   */
  async lookup(id: string, owner?: number): Promise<AsyncStatus | undefined> {
    const local = this.get(id, owner);
    if (local !== undefined || this.#pending.has(id) || this.#done.has(id)) return local;
    if (!this.#options.shared) return this.#options.siblings?.(id, owner);
    const stored = await this.#options.shared.store.get(id).catch(() => undefined);
    return stored && stored.owner === (owner ?? null) ? stored.status : undefined;
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
