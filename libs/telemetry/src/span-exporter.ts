import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportFailedError } from './errors.js';

/** The OTLP transports, by their `OTEL_EXPORTER_OTLP_PROTOCOL` names. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/**
 * The OpenTelemetry OTLP trace exporter for `protocol`. Each reads its endpoint, headers, timeout,
 * compression and certificates from the standard `OTEL_EXPORTER_OTLP_(TRACES_)*` variables itself.
 */
function otlpExporter(protocol: OtlpProtocol): SpanExporter {
  switch (protocol) {
    case 'http/protobuf':
      return new ProtobufExporter();
    case 'http/json':
      return new JsonExporter();
    case 'grpc':
      return new GrpcExporter();
  }
}

/**
 * The OTLP exporter, reporting each failed batch as an `ExportFailedError` (the SDK would only log
 * it to its diagnostic channel, which nothing reads by default).
 */
export function createSpanExporter(protocol: OtlpProtocol, endpoint: string, onError: (error: ExportFailedError) => void): SpanExporter {
  const inner = otlpExporter(protocol);
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          onError(new ExportFailedError(endpoint, `${spans.length} span(s) dropped: ${result.error?.message ?? 'unknown error'}`, { cause: result.error }));
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
