/** gRPC status codes by name (the names of grpc's `status` enum), for the table below. */
export const GRPC_STATUS = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11, UNIMPLEMENTED: 12,
  INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
} as const;
export type GrpcStatusName = keyof typeof GRPC_STATUS;

/** How one code is answered on every surface. */
export interface ApiErrorSpec {
  /** HTTP status of the answer. */
  readonly http: number;
  /** gRPC status of the answer. */
  readonly grpc: GrpcStatusName;
  /** The same request may succeed if sent again later. */
  readonly retryable: boolean;
  /** Answers carry `Retry-After` (HTTP) / `retry-after` metadata: the condition is expected to clear soon. */
  readonly retryAfter: boolean;
}

const spec = (http: number, grpc: GrpcStatusName, retryable = false, retryAfter = false): ApiErrorSpec => ({ http, grpc, retryable, retryAfter });

/**
 * Every error code a client can get from the coordinator, over HTTP, gRPC, WebSocket and async
 * results, and how it is answered. Nothing else decides a status, whether to retry, or Retry-After.
 */
export const API_ERRORS = {
  IM_BAD_REQUEST: spec(400, 'INVALID_ARGUMENT'),
  IM_INVALID_INPUT: spec(400, 'INVALID_ARGUMENT'),
  IM_UNAUTHORIZED: spec(401, 'UNAUTHENTICATED'),
  IM_NOT_FOUND: spec(404, 'UNIMPLEMENTED'),
  IM_MODEL_NOT_FOUND: spec(404, 'NOT_FOUND'),
  IM_VERSION_NOT_FOUND: spec(404, 'NOT_FOUND'),
  IM_REQUEST_NOT_FOUND: spec(404, 'NOT_FOUND'),
  IM_METHOD_NOT_ALLOWED: spec(405, 'UNIMPLEMENTED'),
  IM_REQUEST_TIMEOUT: spec(408, 'DEADLINE_EXCEEDED', true),
  IM_PAYLOAD_TOO_LARGE: spec(413, 'RESOURCE_EXHAUSTED'),
  IM_URI_TOO_LONG: spec(414, 'INVALID_ARGUMENT'),
  IM_UNSUPPORTED_MEDIA_TYPE: spec(415, 'INVALID_ARGUMENT'),
  IM_HEADERS_TOO_LARGE: spec(431, 'RESOURCE_EXHAUSTED'),
  IM_OVERLOADED: spec(429, 'RESOURCE_EXHAUSTED', true, true),
  IM_RATE_LIMITED: spec(429, 'RESOURCE_EXHAUSTED', true, true),
  IM_INTERNAL: spec(500, 'INTERNAL'),
  IM_MODEL_LOAD_FAILED: spec(500, 'INTERNAL'),
  IM_WORKER_FAILED: spec(502, 'UNAVAILABLE', true),
  IM_NO_WORKER: spec(503, 'UNAVAILABLE', true, true),
  IM_SHUTTING_DOWN: spec(503, 'UNAVAILABLE', true, true),
  IM_TIMEOUT: spec(504, 'DEADLINE_EXCEEDED', true),
} as const satisfies Record<string, ApiErrorSpec>;
export type ApiErrorCode = keyof typeof API_ERRORS;

/** Seconds a `retryAfter` answer asks the client to wait, unless the error names its own. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * Codes a worker answers with on the worker channel, and the client code each becomes. `fault`: the
 * worker, not the request, failed (a whole call refused or lost), so the coordinator tries another
 * worker. Item codes (`fault: false`) come inside an answer, one per failed item.
 */
export const WORKER_ERRORS = {
  IM_WORKER_BUSY: { api: 'IM_WORKER_FAILED', fault: true },
  IM_WORKER_MODEL_NOT_LOADED: { api: 'IM_WORKER_FAILED', fault: false },
  IM_WORKER_BAD_INPUT: { api: 'IM_INVALID_INPUT', fault: false },
  IM_WORKER_RUNTIME: { api: 'IM_WORKER_FAILED', fault: false },
} as const satisfies Record<string, { api: ApiErrorCode; fault: boolean }>;
export type WorkerErrorCode = keyof typeof WORKER_ERRORS;

/**
 * Why the coordinator refused to open its worker channel, or refused or ejected a worker on it. Logged
 * with the code; a refused or ejected worker's connection is closed with `WORKER_REFUSED_CLOSE_CODE`
 * and the code as the reason. None reaches a client: a client whose batch a worker broke gets
 * `IM_WORKER_FAILED` (or the answer of another worker).
 */
export const WORKER_CHANNEL_ERRORS = {
  IM_WORKER_CHANNEL_INSECURE: 'a worker channel without credentials (secret, secret file, credentials file, mutual TLS) and without --insecure-workers (a worker listener: --insecure-coordinators), or that flag on an address beyond loopback',
  IM_WORKER_ID_IN_USE: 'a connected worker already holds the worker id this one describes itself with',
  IM_WORKER_ID_MISMATCH: 'the worker describes itself with another id than the one its credential names',
  IM_WORKER_REVOKED: 'the worker\'s credential was removed or changed in the credentials file',
  IM_WORKER_CONTRACT: 'the worker answered with outputs its model does not declare (names, datatypes, shapes); it is ejected',
} as const;
export type WorkerChannelErrorCode = keyof typeof WORKER_CHANNEL_ERRORS;
/** The WebSocket close code of a refused or ejected worker's connection (4000 + HTTP 403). */
export const WORKER_REFUSED_CLOSE_CODE = 4403;

export const isApiErrorCode = (code: string): code is ApiErrorCode => Object.hasOwn(API_ERRORS, code);
export const isWorkerErrorCode = (code: string): code is WorkerErrorCode => Object.hasOwn(WORKER_ERRORS, code);

/**
 * The client code for a code a worker sent (an item's or a refused call's). A client code passes through
 * only when it blames the request (a 4xx): a worker cannot make the coordinator answer 500 or claim a
 * deadline or an outage. Anything else, unknown codes too, is a worker failure.
 */
export function apiCodeOfWorkerCode(code: string): ApiErrorCode {
  if (isWorkerErrorCode(code)) return WORKER_ERRORS[code].api;
  return isApiErrorCode(code) && API_ERRORS[code].http < 500 ? code : 'IM_WORKER_FAILED';
}

/**
 * An answer to a client: a documented code, its status from `API_ERRORS`, and a message safe to
 * show. Thrown by contract helpers (tensor conversion) and by the coordinator.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  /** Seconds for `Retry-After`; set exactly when the code's spec says `retryAfter`. */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ApiErrorCode, message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    // An answer below 500 is about the request (bad input, unknown model, overload), not a fault of ours:
    // nothing logs its stack, and capturing one under fastify's async frames costs about 2 µs (half the
    // error's construction), paid on every refusal of a flood. A 5xx keeps its stack for the log.
    const stackTraceLimit = Error.stackTraceLimit;
    if (API_ERRORS[code].http < 500) Error.stackTraceLimit = 0;
    super(message, { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.retryAfterSeconds = API_ERRORS[code].retryAfter ? (options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) : undefined;
  }

  get spec(): ApiErrorSpec {
    return API_ERRORS[this.code];
  }
}

/** The error body of every surface (HTTP, gRPC message, WebSocket frame, async result): the protocol's `{ error }` plus the code. */
export function errorBody(error: ApiError): { error: string; code: ApiErrorCode } {
  return { error: error.message, code: error.code };
}
