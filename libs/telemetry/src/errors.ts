import { createError, errorBase } from '@infermesh/foundation';

/**
 * Every failure the telemetry library reports, as a code a caller can switch on without parsing
 * messages. The README documents each one; a test fails if one is missing there.
 *
 * An invalid incoming `traceparent` is deliberately not an error: W3C Trace Context says to ignore it
 * and start a new trace, and a bad header from a client must never fail its request.
 */
export const TELEMETRY_ERROR_CODES = [
  'IM_TELEMETRY_INVALID_CONFIG',
  'IM_TELEMETRY_EXPORT_FAILED',
  'IM_TELEMETRY_INVALID_TRACE_ID',
] as const;
export type TelemetryErrorCode = (typeof TELEMETRY_ERROR_CODES)[number];

/** Base class of every error the telemetry library throws or emits. */
export class TelemetryError extends errorBase<TelemetryErrorCode>('TelemetryError') {}

/** An `OTEL_*` variable (or a logging setting) has a value this process does not take; it refuses to start. */
export class InvalidTelemetryConfigError extends createError(TelemetryError, 'IM_TELEMETRY_INVALID_CONFIG', 'InvalidTelemetryConfigError', (variable: string, value: string, expected: string) => `${variable}=${JSON.stringify(value.slice(0, 200))} is not valid: expected ${expected}`, (variable) => ({ variable })) {}

/**
 * The OTLP exporter could not deliver a batch of spans (collector down, refused, timed out). The spans
 * are dropped, never retried into a request's time; reported through the `onExportError` callback.
 */
export class ExportFailedError extends createError(TelemetryError, 'IM_TELEMETRY_EXPORT_FAILED', 'ExportFailedError', (endpoint: string, reason: string) => `trace export to ${endpoint} failed: ${reason}`, (endpoint) => ({ endpoint })) {}

/** A trace id asked of the store is not 32 lowercase hex digits (an HTTP API answers 400, not 404). */
export class InvalidTraceIdError extends createError(TelemetryError, 'IM_TELEMETRY_INVALID_TRACE_ID', 'InvalidTraceIdError', (traceId: string) => `invalid trace id ${JSON.stringify(traceId.slice(0, 64))}: expected 32 lowercase hex digits`, (traceId) => ({ traceId })) {}
