import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportFailedError } from './errors.js';

/** The OTLP transports, by their `OTEL_EXPORTER_OTLP_PROTOCOL` names. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Where and how to export: the endpoint URL of the traces signal and extra headers (HTTP protocols). */
export interface ExportTarget {
  protocol: OtlpProtocol;
  url: string;
  headers: Record<string, string>;
}

/**
 * The OpenTelemetry OTLP trace exporter for `target.protocol`, sending to `target.url`. Timeout,
 * compression, certificates (and gRPC metadata) come from the standard `OTEL_EXPORTER_OTLP_(TRACES_)*`
 * variables, which each exporter reads itself.
 */
function otlpExporter(target: ExportTarget): SpanExporter {
  switch (target.protocol) {
    case 'http/protobuf':
      return new ProtobufExporter({ url: target.url, headers: target.headers });
    case 'http/json':
      return new JsonExporter({ url: target.url, headers: target.headers });
    case 'grpc':
      return new GrpcExporter({ url: target.url });
  }
}

/**
 * The OTLP exporter, reporting each failed batch as an `ExportFailedError` (the SDK would only log
 * it to its diagnostic channel, which nothing reads by default).
 */
export function createSpanExporter(target: ExportTarget, onError: (error: ExportFailedError) => void): SpanExporter {
  const inner = otlpExporter(target);
  const endpoint = target.url;
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
