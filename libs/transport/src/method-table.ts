import type { AbortLike } from '@infermesh/foundation';
import type { z } from 'zod/v4';
import type { Peer } from './peer.js';

/** The methods one side may call on the other: a request and a response schema per method name. */
export type MethodTable = Record<string, { request: z.ZodType; response: z.ZodType }>;

export interface CallOptions {
  /** Overrides the peer's `timeoutMs` for this call. */
  timeoutMs?: number | undefined;
  /**
   * The caller's absolute deadline, in `performance.now()` ms (monotonic, this process). Wins over
   * `timeoutMs`; a deadline already past rejects at once with TimeoutError.
   */
  deadline?: number | undefined;
  /**
   * Aborting it rejects the call with AbortedError and cancels the handler on the other side. An
   * AbortSignal, or anything read like one (`AbortLike`: a batch's signal from @infermesh/batcher).
   */
  signal?: AbortLike | undefined;
}

export interface HandlerContext {
  /**
   * Aborts when the caller cancels (abort or timeout) or the connection closes. Made on first read: a
   * handler that only needs to check whether the call was cancelled reads `aborted` instead.
   */
  signal: AbortSignal;
  /** Whether the call was cancelled, and why: the signal's state, without making the signal. */
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Epoch ms after which the caller no longer waits, as the caller's clock saw it. */
  deadline?: number;
  /** The peer the call came from; handlers may call back through it. */
  peer: Peer<MethodTable>;
}

export type RequestOf<P extends MethodTable, M extends keyof P> = z.output<P[M]['request']>;
export type RequestInputOf<P extends MethodTable, M extends keyof P> = z.input<P[M]['request']>;
export type ResponseOf<P extends MethodTable, M extends keyof P> = z.output<P[M]['response']>;
export type ResponseInputOf<P extends MethodTable, M extends keyof P> = z.input<P[M]['response']>;

export type Handler<P extends MethodTable, M extends keyof P> = (
  request: RequestOf<P, M>,
  ctx: HandlerContext,
) => Promise<ResponseInputOf<P, M>> | ResponseInputOf<P, M>;

export type Handlers<P extends MethodTable> = { [M in keyof P]?: Handler<P, M> };

/** A handler with its types erased, as the dispatcher stores it. */
export type AnyHandler = (request: unknown, ctx: HandlerContext) => unknown;
