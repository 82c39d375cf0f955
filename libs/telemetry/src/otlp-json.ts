import type { AttributeValue, Attributes } from './span.js';
import type { TraceJson } from './trace.js';

/**
 * The OTLP/JSON encoding of `ExportTraceServiceRequest` (opentelemetry-proto, trace/v1): ids as hex,
 * 64-bit integers (timestamps, intValue) as decimal strings, enums as integers.
 */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number };
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 INTERNAL, 2 SERVER. */
  kind: 1 | 2;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  /** 0 UNSET, 2 ERROR. */
  status: { code: 0 | 2 };
}
export interface OtlpExportTraceServiceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
  }>;
}

export interface OtlpResource {
  /** `service.name` of the resource. */
  serviceName: string;
  attributes?: Attributes;
}

export const OTLP_SCOPE = { name: '@infermesh/telemetry', version: '0.1.0' } as const;

function anyValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function keyValues(attributes: Attributes): OtlpKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** Epoch ms (fractional) → epoch ns as a decimal string, exact to the float's precision. */
export function msToUnixNano(ms: number): string {
  const whole = Math.floor(ms);
  let nanos = Math.round((ms - whole) * 1e6);
  let millis = BigInt(whole);
  if (nanos >= 1_000_000) {
    millis += 1n;
    nanos -= 1_000_000;
  }
  return (millis * 1_000_000n + BigInt(nanos)).toString();
}

/**
 * Encodes ended traces. A span still open when its trace ended is exported as ending with the root,
 * marked `open: true`, so the batch stays valid OTLP.
 */
export function toOtlpJson(traces: readonly TraceJson[], resource: OtlpResource): OtlpExportTraceServiceRequest {
  const spans: OtlpSpan[] = [];
  for (const trace of traces) {
    const rootEnd = trace.startMs + (trace.durationMs ?? 0);
    for (const span of trace.spans) {
      const open = span.durationMs === null;
      const end = open ? Math.max(span.startMs, rootEnd) : span.startMs + (span.durationMs ?? 0);
      const attributes = open ? { ...span.attributes, open: true } : span.attributes;
      spans.push({
        traceId: trace.traceId,
        spanId: span.spanId,
        ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
        name: span.name,
        kind: span.spanId === trace.rootSpanId ? 2 : 1,
        startTimeUnixNano: msToUnixNano(span.startMs),
        endTimeUnixNano: msToUnixNano(end),
        attributes: keyValues(attributes),
        status: { code: span.attributes['error'] === true ? 2 : 0 },
      });
    }
  }
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': resource.serviceName, ...resource.attributes }) },
        scopeSpans: [{ scope: { ...OTLP_SCOPE }, spans }],
      },
    ],
  };
}
