import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '@infermesh/contracts';
import { LRUCache } from 'lru-cache';
import type { ClientAuth } from './client-auth.js';

/** A token bucket's settings: `perSecond` tokens come back each second, up to `burst` held at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Milliseconds, on any origin; a `ManualClock` in tests. */
export interface RateClock {
  now(): number;
}

/**
 * One token bucket: full at first, refilled continuously at `perSecond`, never above `burst`. A request
 * takes one token; without one it learns how long until the next.
 */
export class TokenBucket {
  readonly #limit: RateLimit;
  #tokens: number;
  #at: number;

  constructor(limit: RateLimit, now: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#at = now;
  }

  /** Takes a token: 0 when one was there, else the milliseconds until one will be (nothing is taken). */
  take(now: number): number {
    const { perSecond, burst } = this.#limit;
    if (now > this.#at) {
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#at) * perSecond) / 1000);
      this.#at = now;
    }
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return ((1 - this.#tokens) * 1000) / perSecond;
  }
}

/** Who a request counts against: an API key (by its index in the key list), or a client address when keys are off. */
export type RateSubject = { key: number } | { address: string };

export interface RateLimitsOptions {
  /** Every key's limit, and every address's when keys are off. Undefined: no limit but the per-key ones. */
  default: RateLimit | undefined;
  /** Limits of some keys by index, over the default. */
  perKey: ReadonlyMap<number, RateLimit>;
  clock: RateClock;
  /** Addresses tracked at once when keys are off (least recently seen forgotten first, i.e. given a full bucket). */
  maxAddresses?: number;
}

/**
 * Per-API-key rate limits: a token bucket per key (or per client address when there are no keys), each
 * request one token. Over the limit a request is refused with 429 `IM_RATE_LIMITED` and a Retry-After
 * of the whole seconds until the bucket holds a token again.
 */
export class RateLimits {
  readonly #options: RateLimitsOptions;
  readonly #keys = new Map<number, TokenBucket>();
  readonly #addresses: LRUCache<string, TokenBucket>;

  constructor(options: RateLimitsOptions) {
    for (const limit of [options.default, ...options.perKey.values()]) {
      if (limit !== undefined && !(limit.perSecond > 0 && limit.burst >= 1)) {
        throw new RangeError(`a rate limit needs perSecond > 0 and burst >= 1, got ${JSON.stringify(limit)}`);
      }
    }
    this.#options = options;
    this.#addresses = new LRUCache({ max: options.maxAddresses ?? 100_000 });
  }

  /** Whether any limit applies at all (else the coordinator skips the check). */
  get enabled(): boolean {
    return this.#options.default !== undefined || this.#options.perKey.size > 0;
  }

  /** Takes one token for the subject; throws `IM_RATE_LIMITED` (with Retry-After) when its bucket is empty. */
  take(subject: RateSubject): void {
    const bucket = this.#bucket(subject);
    if (bucket === undefined) return;
    const waitMs = bucket.take(this.#options.clock.now());
    if (waitMs === 0) return;
    const who = 'key' in subject ? 'this API key' : 'this client';
    throw new ApiError('IM_RATE_LIMITED', `${who} is over its rate limit; retry in ${Math.ceil(waitMs)} ms`, {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }

  #bucket(subject: RateSubject): TokenBucket | undefined {
    const { clock } = this.#options;
    if ('key' in subject) {
      let bucket = this.#keys.get(subject.key);
      const limit = this.#options.perKey.get(subject.key) ?? this.#options.default;
      if (bucket === undefined && limit !== undefined) this.#keys.set(subject.key, (bucket = new TokenBucket(limit, clock.now())));
      return bucket;
    }
    const limit = this.#options.default;
    if (limit === undefined) return undefined;
    let bucket = this.#addresses.get(subject.address);
    if (bucket === undefined) this.#addresses.set(subject.address, (bucket = new TokenBucket(limit, clock.now())));
    return bucket;
  }
}

/** Who a request counts against: its API key when keys are on (after the key check let it in), else its address. */
export function rateSubject(auth: ClientAuth | undefined, headers: IncomingHttpHeaders, address: string | undefined): RateSubject {
  const key = auth?.identify(headers);
  return key !== undefined ? { key } : { address: address ?? 'unknown' };
}
