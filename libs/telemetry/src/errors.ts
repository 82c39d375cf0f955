import { createError, errorBase } from '@infermesh/foundation';

/**
 * Every failure the telemetry library reports, as a code a caller can switch on without parsing
 * messages. The README documents each one; a test fails if one is missing there.
 *
 * An invalid incoming `traceparent` is deliberately not an error: W3C Trace Context says to ignore it
 * and start a new trace, and a bad header from a client must never fail its request.
 */
export const TELEMETRY_ERROR_CODES = [
  'IM_TELEMETRY_EXPORT_FAILED',
  'IM_TELEMETRY_EXPORT_QUEUE_FULL',
  'IM_TELEMETRY_INVALID_TRACE_ID',
] as const;
export type TelemetryErrorCode = (typeof TELEMETRY_ERROR_CODES)[number];

/** Base class of every error the telemetry library throws or emits. */
export class TelemetryError extends errorBase<TelemetryErrorCode>('TelemetryError') {}

/**
 * An export batch could not be delivered (HTTP status not 2xx, timeout, network or file error).
 * Its traces are dropped and counted; requests are never held up by the exporter.
 */
export class ExportFailedError extends createError(TelemetryError, 'IM_TELEMETRY_EXPORT_FAILED', 'ExportFailedError', (target: string, droppedTraces: number, reason: string) => `export to ${target} failed (${reason}): ${droppedTraces} trace(s) dropped`, (_target, droppedTraces) => ({ droppedTraces })) {}

/** Traces arrived faster than the exporter could send them: the queue was full and these were dropped. */
export class ExportQueueFullError extends createError(TelemetryError, 'IM_TELEMETRY_EXPORT_QUEUE_FULL', 'ExportQueueFullError', (droppedTraces: number, maxQueueTraces: number) => `export queue full (${maxQueueTraces} traces): ${droppedTraces} trace(s) dropped`, (droppedTraces) => ({ droppedTraces })) {}

/** A trace id asked of the store is not 32 lowercase hex digits (an HTTP API answers 400, not 404). */
export class InvalidTraceIdError extends createError(TelemetryError, 'IM_TELEMETRY_INVALID_TRACE_ID', 'InvalidTraceIdError', (traceId: string) => `invalid trace id ${JSON.stringify(traceId.slice(0, 64))}: expected 32 lowercase hex digits`, (traceId) => ({ traceId })) {}
