export { createTracing, TracingOptionsSchema, samplerFromEnv, exportTargetFromEnv } from './tracing.js';
export type { Tracing, TracingOptions } from './tracing.js';
export { OTLP_PROTOCOLS } from './span-exporter.js';
export type { OtlpProtocol } from './span-exporter.js';
export { Tracer, TracerOptionsSchema, performanceClock, INSTRUMENTATION_SCOPE } from './tracer.js';
export type { TracerOptions, StartOptions, TraceSink } from './tracer.js';
export { Trace } from './trace.js';
export type { TraceJson } from './trace.js';
export { Span, RemoteSpanSchema, AttributesSchema } from './span.js';
export type { SpanJson, RemoteSpan, Attributes, AttributeValue, SpanKindName } from './span.js';
export { parseTraceparent, formatTraceparent, isTraceId, isSpanId, isSampled } from './trace-context.js';
export type { TraceContext } from './trace-context.js';
export { TraceStore, TraceStoreOptionsSchema } from './trace-store.js';
export type { TraceStoreOptions, StoredTrace } from './trace-store.js';
export {
  TELEMETRY_ERROR_CODES, TelemetryError, ExportFailedError, InvalidTelemetryConfigError, InvalidTraceIdError,
} from './errors.js';
export type { TelemetryErrorCode } from './errors.js';
export {
  createMetrics, MetricsOptionsSchema, STAGE_NAMES, COMPUTE_STAGES, QUEUE_STAGE, BATCH_SIZE_BUCKETS, LATENCY_BUCKETS, stageTotals, queueAndCompute,
  mergedExposition,
} from './metrics.js';
export type { Metrics, MetricsOptions, MetricsSnapshot, StageName, StageTimings, ModelLabels } from './metrics.js';
export { LabelledCounter, LabelledHistogram } from './labelled-metrics.js';
export type { LabelValues, ExposedMetric, ExposedValue } from './labelled-metrics.js';
export { createWorkerMetrics } from './worker-metrics.js';
export type { WorkerMetrics } from './worker-metrics.js';
export { createLogger, LoggerOptionsSchema, componentLogger, logLevelsFromEnv, LOG_LEVELS } from './logger.js';
export type { Logger, LoggerOptions, LogDestination, LogLevel } from './logger.js';
export { AccessLog, AccessLogOptionsSchema } from './access-log.js';
export type { AccessEntry, AccessLogOptions } from './access-log.js';
export { prettyLine } from './pretty-line.js';
export { DashboardDataSchema, DashboardWorkerSchema, DashboardPointSchema, DashboardModelSchema } from './dashboard-data.js';
export type { DashboardData, DashboardWorker, DashboardPoint, DashboardModel } from './dashboard-data.js';
export { DashboardSampler, DashboardSamplerOptionsSchema } from './dashboard-sampler.js';
export type { DashboardSamplerOptions, DashboardRequest } from './dashboard-sampler.js';
export { dashboardHtml, DashboardHtmlOptionsSchema } from './dashboard-html.js';
export type { DashboardHtmlOptions } from './dashboard-html.js';
