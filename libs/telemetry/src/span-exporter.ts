import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
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
 * variables, which each exporter reads itself. Imported here, not at the top: a process that exports
 * nothing loads none of the three packages, and one that does loads one (together they took about
 * 100 ms of every start, docs/design.md).
 */
async function otlpExporter(target: ExportTarget): Promise<SpanExporter> {
  switch (target.protocol) {
    case 'http/protobuf': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter({ url: target.url, headers: target.headers });
    }
    case 'http/json': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter({ url: target.url, headers: target.headers });
    }
    case 'grpc': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter({ url: target.url });
    }
  }
}

/**
 * The OTLP exporter, reporting each failed batch as an `ExportFailedError` (the SDK would only log
 * it to its diagnostic channel, which nothing reads by default). The exporter loads while the first
 * spans are batched; should it fail to load, each export fails and is reported the same way.
 */
export function createSpanExporter(target: ExportTarget, onError: (error: ExportFailedError) => void): SpanExporter {
  const loading = otlpExporter(target);
  loading.catch(() => undefined); // reported by the exports that needed it
  const endpoint = target.url;
  const failed = (spans: readonly ReadableSpan[], result: ExportResult): void => {
    onError(new ExportFailedError(endpoint, `${spans.length} span(s) dropped: ${result.error?.message ?? 'unknown error'}`, { cause: result.error }));
  };
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      loading.then(
        (inner) =>
          inner.export(spans, (result) => {
            if (result.code !== ExportResultCode.SUCCESS) failed(spans, result);
            done(result);
          }),
        (error: unknown) => {
          const result: ExportResult = { code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) };
          failed(spans, result);
          done(result);
        },
      );
    },
    shutdown: () => loading.then((inner) => inner.shutdown(), () => undefined),
    forceFlush: () => loading.then((inner) => inner.forceFlush?.(), () => undefined),
  };
}
