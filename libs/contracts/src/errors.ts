/**
 * Every error code the coordinator's HTTP and WebSocket APIs answer with, and its HTTP status.
 * A client can import this table to map codes without parsing messages.
 */
export const API_ERRORS = {
  IM_BAD_REQUEST: 400,
  IM_INVALID_INPUT: 400,
  IM_UNAUTHORIZED: 401,
  IM_NOT_FOUND: 404,
  IM_MODEL_NOT_FOUND: 404,
  IM_VERSION_NOT_FOUND: 404,
  IM_REQUEST_NOT_FOUND: 404,
  IM_METHOD_NOT_ALLOWED: 405,
  IM_PAYLOAD_TOO_LARGE: 413,
  IM_UNSUPPORTED_MEDIA_TYPE: 415,
  IM_OVERLOADED: 429,
  IM_INTERNAL: 500,
  IM_WORKER_FAILED: 502,
  IM_NO_WORKER: 503,
  IM_SHUTTING_DOWN: 503,
  IM_TIMEOUT: 504,
} as const;
export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error that carries an API error code; thrown by contract helpers such as tensor conversion. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
