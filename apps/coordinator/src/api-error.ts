import { API_ERRORS, type ApiErrorCode } from '@infermesh/contracts';

/** An answer to a client: a documented code, its HTTP status and a message safe to show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;
  constructor(code: ApiErrorCode, message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = API_ERRORS[code];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Error codes of the libraries and the worker, as the client sees them. */
const CODE_MAP: Record<string, ApiErrorCode> = {
  IM_INVALID_INPUT: 'IM_INVALID_INPUT',
  IM_REGISTRY_MODEL_NOT_FOUND: 'IM_MODEL_NOT_FOUND',
  IM_REGISTRY_VERSION_NOT_FOUND: 'IM_VERSION_NOT_FOUND',
  IM_TRANSPORT_TIMEOUT: 'IM_TIMEOUT',
  IM_TRANSPORT_ABORTED: 'IM_TIMEOUT',
  IM_WORKER_BAD_INPUT: 'IM_INVALID_INPUT',
  IM_PROCESSING_BAD_INPUT: 'IM_INVALID_INPUT',
  IM_BATCH_QUEUE_FULL: 'IM_OVERLOADED',
  IM_BATCH_DEADLINE: 'IM_TIMEOUT',
  IM_BATCH_ABORTED: 'IM_TIMEOUT',
  IM_BATCH_CLOSED: 'IM_SHUTTING_DOWN',
  IM_BATCH_ITEM_TOO_LARGE: 'IM_INVALID_INPUT',
};

/** Turns anything thrown on the way to an answer into an ApiError; unknown failures stay opaque. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown; remoteCode?: unknown })?.remoteCode ?? (error as { code?: unknown })?.code;
  const m = (error as { message?: unknown })?.message;
  const message = typeof m === 'string' ? m : String(error);
  if (typeof code === 'string') {
    const mapped = CODE_MAP[code] ?? (code in API_ERRORS ? (code as ApiErrorCode) : undefined);
    if (mapped) {
      const retry = mapped === 'IM_OVERLOADED' || mapped === 'IM_SHUTTING_DOWN' || mapped === 'IM_NO_WORKER';
      return new ApiError(mapped, message, { cause: error, ...(retry ? { retryAfterSeconds: 1 } : {}) });
    }
    if (code.startsWith('IM_TRANSPORT_') || code.startsWith('IM_WORKER_') || code.startsWith('IM_RUNTIME_')) {
      return new ApiError('IM_WORKER_FAILED', message, { cause: error });
    }
  }
  return new ApiError('IM_INTERNAL', 'internal error', { cause: error });
}
