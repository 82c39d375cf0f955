/**
 * Every failure the transport reports, as a code a caller can switch on without parsing messages.
 * The README documents each one; a test fails if one is missing there.
 */
export const TRANSPORT_ERROR_CODES = [
  'IM_TRANSPORT_TIMEOUT',
  'IM_TRANSPORT_ABORTED',
  'IM_TRANSPORT_CLOSED',
  'IM_TRANSPORT_NOT_CONNECTED',
  'IM_TRANSPORT_BACKPRESSURE',
  'IM_TRANSPORT_REMOTE',
  'IM_TRANSPORT_INVALID_MESSAGE',
  'IM_TRANSPORT_METHOD_NOT_FOUND',
  'IM_TRANSPORT_UNAUTHORIZED',
  'IM_TRANSPORT_PROTOCOL',
  'IM_TRANSPORT_HEARTBEAT_TIMEOUT',
  'IM_TRANSPORT_RECONNECT_EXHAUSTED',
] as const;
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

interface TransportErrorOptions {
  cause?: unknown;
}

/** Base class of every error the transport throws or rejects with. */
export class TransportError extends Error {
  override name = 'TransportError';
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: TransportErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A call got no answer before its deadline. A cancel frame was sent to the callee. */
export class TimeoutError extends TransportError {
  override name = 'TimeoutError';
  readonly timeoutMs: number;
  constructor(method: string, timeoutMs: number, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_TIMEOUT', `call "${method}" timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired. A cancel frame was sent to the callee. */
export class AbortedError extends TransportError {
  override name = 'AbortedError';
  constructor(method: string, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_ABORTED', `call "${method}" was aborted`, options);
  }
}

/** The connection closed (locally, remotely or because the peer went silent) with the call in flight. */
export class ClosedError extends TransportError {
  override name = 'ClosedError';
  readonly closeCode: number;
  readonly reason: string;
  constructor(closeCode: number, reason: string, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_CLOSED', `connection closed (${closeCode}${reason ? `: ${reason}` : ''})`, options);
    this.closeCode = closeCode;
    this.reason = reason;
  }
}

/** A call was made while no connection was open (a dialing peer between attempts). Nothing is queued. */
export class NotConnectedError extends TransportError {
  override name = 'NotConnectedError';
  constructor(options?: TransportErrorOptions) {
    super('IM_TRANSPORT_NOT_CONNECTED', 'not connected', options);
  }
}

/** Too many calls in flight, or too many bytes waiting in the socket's send buffer. */
export class BackpressureError extends TransportError {
  override name = 'BackpressureError';
  readonly limit: 'maxPendingCalls' | 'maxBufferedBytes';
  constructor(limit: 'maxPendingCalls' | 'maxBufferedBytes', value: number, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_BACKPRESSURE', `${limit} reached (${value}): call refused`, options);
    this.limit = limit;
  }
}

/** The remote handler threw. `remoteCode` is the handler error's string `code`, if it had one. */
export class RemoteError extends TransportError {
  override name = 'RemoteError';
  readonly remoteCode: string | undefined;
  readonly method: string;
  constructor(method: string, message: string, remoteCode: string | undefined, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_REMOTE', message, options);
    this.method = method;
    this.remoteCode = remoteCode;
  }
}

/**
 * A payload failed its schema. `side` says where: `remote` means the callee refused our request,
 * `local` means the answer we received did not match the response schema (or could not be encoded).
 */
export class InvalidMessageError extends TransportError {
  override name = 'InvalidMessageError';
  readonly side: 'local' | 'remote';
  readonly method: string;
  constructor(method: string, side: 'local' | 'remote', message: string, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_INVALID_MESSAGE', `invalid message for "${method}" (${side}): ${message}`, options);
    this.side = side;
    this.method = method;
  }
}

/** The callee's method table has no such method, or it registered no handler for it. */
export class MethodNotFoundError extends TransportError {
  override name = 'MethodNotFoundError';
  readonly method: string;
  constructor(method: string, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_METHOD_NOT_FOUND', `method not found: "${method}"`, options);
    this.method = method;
  }
}

/** The listener refused the handshake with HTTP 401 (missing or wrong shared secret). */
export class UnauthorizedError extends TransportError {
  override name = 'UnauthorizedError';
  constructor(options?: TransportErrorOptions) {
    super('IM_TRANSPORT_UNAUTHORIZED', 'the listener refused the handshake: unauthorized (HTTP 401)', options);
  }
}

/** The other side broke the wire protocol: a text frame, undecodable bytes, or a bad envelope. */
export class ProtocolError extends TransportError {
  override name = 'ProtocolError';
  readonly closeCode: number;
  constructor(message: string, closeCode: number, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_PROTOCOL', message, options);
    this.closeCode = closeCode;
  }
}

/** No pong came back within heartbeatTimeoutMs: the connection was declared dead and terminated. */
export class HeartbeatTimeoutError extends TransportError {
  override name = 'HeartbeatTimeoutError';
  constructor(timeoutMs: number, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_HEARTBEAT_TIMEOUT', `no pong within ${timeoutMs} ms: peer declared dead`, options);
  }
}

/** A dialing peer gave up after `reconnect.maxAttempts` failed attempts in a row. */
export class ReconnectExhaustedError extends TransportError {
  override name = 'ReconnectExhaustedError';
  readonly attempts: number;
  constructor(attempts: number, options?: TransportErrorOptions) {
    super('IM_TRANSPORT_RECONNECT_EXHAUSTED', `gave up after ${attempts} failed connection attempts`, options);
    this.attempts = attempts;
  }
}
