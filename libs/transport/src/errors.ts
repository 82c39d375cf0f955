import { createError, errorBase } from '@infermesh/foundation';

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

/** Base class of every error the transport throws or rejects with. */
export class TransportError extends errorBase<TransportErrorCode>('TransportError') {}

/** A call got no answer before its deadline. A cancel frame was sent to the callee. */
export class TimeoutError extends createError(TransportError, 'IM_TRANSPORT_TIMEOUT', 'TimeoutError', (method: string, timeoutMs: number) => `call "${method}" timed out after ${timeoutMs} ms`, (_method, timeoutMs) => ({ timeoutMs })) {}

/** The caller's AbortSignal fired. A cancel frame was sent to the callee. */
export class AbortedError extends createError(TransportError, 'IM_TRANSPORT_ABORTED', 'AbortedError', (method: string) => `call "${method}" was aborted`) {}

/** The connection closed (locally, remotely or because the peer went silent) with the call in flight. */
export class ClosedError extends createError(TransportError, 'IM_TRANSPORT_CLOSED', 'ClosedError', (closeCode: number, reason: string) => `connection closed (${closeCode}${reason ? `: ${reason}` : ''})`, (closeCode, reason) => ({ closeCode, reason })) {}

/** A call was made while no connection was open (a dialing peer between attempts). Nothing is queued. */
export class NotConnectedError extends createError(TransportError, 'IM_TRANSPORT_NOT_CONNECTED', 'NotConnectedError', () => 'not connected') {}

/** Too many calls in flight, or too many bytes waiting in the socket's send buffer. */
export class BackpressureError extends createError(TransportError, 'IM_TRANSPORT_BACKPRESSURE', 'BackpressureError', (limit: 'maxPendingCalls' | 'maxBufferedBytes', value: number) => `${limit} reached (${value}): call refused`, (limit) => ({ limit })) {}

/** The remote handler threw. `remoteCode` is the handler error's string `code`, if it had one. */
export class RemoteError extends createError(TransportError, 'IM_TRANSPORT_REMOTE', 'RemoteError', (method: string, message: string, remoteCode: string | undefined) => message, (method, _message, remoteCode) => ({ method, remoteCode })) {}

/**
 * A payload failed its schema. `side` says where: `remote` means the callee refused our request,
 * `local` means the answer we received did not match the response schema (or could not be encoded).
 */
export class InvalidMessageError extends createError(TransportError, 'IM_TRANSPORT_INVALID_MESSAGE', 'InvalidMessageError', (method: string, side: 'local' | 'remote', message: string) => `invalid message for "${method}" (${side}): ${message}`, (method, side) => ({ side, method })) {}

/** The callee's method table has no such method, or it registered no handler for it. */
export class MethodNotFoundError extends createError(TransportError, 'IM_TRANSPORT_METHOD_NOT_FOUND', 'MethodNotFoundError', (method: string) => `method not found: "${method}"`, (method) => ({ method })) {}

/** The listener refused the handshake with HTTP 401 (missing or wrong shared secret). */
export class UnauthorizedError extends createError(TransportError, 'IM_TRANSPORT_UNAUTHORIZED', 'UnauthorizedError', () => 'the listener refused the handshake: unauthorized (HTTP 401)') {}

/** The other side broke the wire protocol: a text frame, undecodable bytes, or a bad envelope. */
export class ProtocolError extends createError(TransportError, 'IM_TRANSPORT_PROTOCOL', 'ProtocolError', (message: string, closeCode: number) => message, (_message, closeCode) => ({ closeCode })) {}

/** No pong came back within heartbeatTimeoutMs: the connection was declared dead and terminated. */
export class HeartbeatTimeoutError extends createError(TransportError, 'IM_TRANSPORT_HEARTBEAT_TIMEOUT', 'HeartbeatTimeoutError', (timeoutMs: number) => `no pong within ${timeoutMs} ms: peer declared dead`) {}

/** A dialing peer gave up after `reconnect.maxAttempts` failed attempts in a row. */
export class ReconnectExhaustedError extends createError(TransportError, 'IM_TRANSPORT_RECONNECT_EXHAUSTED', 'ReconnectExhaustedError', (attempts: number) => `gave up after ${attempts} failed connection attempts`, (attempts) => ({ attempts })) {}
