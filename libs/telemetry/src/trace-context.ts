/** W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header and its ids. */

export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: the caller's span, the parent of ours. */
  spanId: string;
  /** Trace flags as 2 hex digits; bit 0 is `sampled`. */
  flags: string;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const HEADER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export const isTraceId = (id: string): boolean => TRACE_ID.test(id) && id !== ZERO_TRACE;
export const isSpanId = (id: string): boolean => SPAN_ID.test(id) && id !== ZERO_SPAN;
/** Whether the caller sampled the trace: bit 0 of its flags. */
export const isSampled = (context: TraceContext): boolean => (Number.parseInt(context.flags, 16) & 1) !== 0;

/**
 * Parses an incoming `traceparent`. Anything invalid gives `undefined`, and the caller starts a new
 * trace: version `ff`, all-zero ids, upper case, extra fields on version 00, or several headers.
 */
export function parseTraceparent(header: string | readonly string[] | undefined): TraceContext | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') {
    // Node joins nothing for unknown headers; two traceparent headers are ambiguous, so neither is trusted.
    if (header.length !== 1) return undefined;
    return parseTraceparent(header[0]);
  }
  if (header.length > 512) return undefined;
  const m = HEADER.exec(header.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff') return undefined;
  if (version === '00' && rest !== undefined) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags };
}

export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`;
}
