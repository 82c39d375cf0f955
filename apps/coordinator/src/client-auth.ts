import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';

/** Routes a load balancer or orchestrator probes without a key (nor a rate limit). */
const OPEN_PATHS = new Set(['/v2/health/live', '/v2/health/ready']);

/** Whether a path is one of the API's own routes that a key guards: every `/v2` route but the health probes. */
export function isGuardedApiPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return (path === '/v2' || path.startsWith('/v2/')) && !OPEN_PATHS.has(path);
}

// Hashing first gives equal-length buffers, so neither a key's content nor its length leaks in time.
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Client API keys: `authorization: Bearer <key>` checked in constant time against every key (all
 * of them, so the time does not tell which key came close).
 */
export class ClientAuth {
  readonly #keys: Buffer[];
  readonly #openMetrics: boolean;

  /** `openMetrics`: leave `/metrics` open for a scraper on a private network. */
  constructor(keys: readonly string[], options: { openMetrics?: boolean } = {}) {
    if (keys.length === 0) throw new RangeError('ClientAuth needs at least one API key');
    this.#keys = keys.map(digest);
    this.#openMetrics = options.openMetrics ?? false;
  }

  /**
   * Which key the request's headers carry: its index in the key list (the same for every request with
   * that key, so results can be bound to it), or undefined for none.
   */
  identify(headers: IncomingHttpHeaders): number | undefined {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    const presented = digest(match[1]);
    let found: number | undefined;
    this.#keys.forEach((key, i) => {
      if (timingSafeEqual(presented, key)) found ??= i;
    });
    return found;
  }

  /** Whether the request's headers carry one of the keys. */
  allows(headers: IncomingHttpHeaders): boolean {
    return this.identify(headers) !== undefined;
  }

  /** Whether a path needs a key at all: every `/v2` route but the health probes, and `/metrics` unless left open. */
  guards(url: string): boolean {
    if ((url.split('?')[0] ?? '') === '/metrics') return !this.#openMetrics;
    return isGuardedApiPath(url);
  }

  /** A fastify `onRequest` hook (a callback one: no promise per request): 401 IM_UNAUTHORIZED before the body is even read. */
  readonly hook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (!this.guards(request.url) || this.allows(request.headers)) return done();
    reply.header('www-authenticate', 'Bearer realm="infermesh"');
    done(new ApiError('IM_UNAUTHORIZED', 'a valid API key is required: authorization: Bearer <key>'));
  };
}
