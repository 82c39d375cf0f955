import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { formatTraceparent, isSampled, parseTraceparent } from './trace-context.js';
import { Tracer } from './tracer.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

describe('traceparent', () => {
  it('continues an incoming trace: same trace id, a new span id, parent = the incoming span', () => {
    const trace = new Tracer({ tracer: new BasicTracerProvider().getTracer('t') }).start('req', { traceparent: VALID });
    expect(trace.traceId).toBe(TRACE);
    expect(trace.parentSpanId).toBe(PARENT);
    expect((trace.root.otel as unknown as ReadableSpan).parentSpanContext).toMatchObject({ traceId: TRACE, spanId: PARENT, isRemote: true });
    expect(trace.root.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.root.spanId).not.toBe(PARENT);
    expect(trace.traceparent()).toBe(`00-${TRACE}-${trace.root.spanId}-01`);
    const child = trace.span('transport');
    expect(trace.traceparent(child)).toBe(`00-${TRACE}-${child.spanId}-01`);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'hello'],
    ['upper case', VALID.toUpperCase()],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['extra field on version 00', `${VALID}-extra`],
    ['two headers', [VALID, VALID]],
  ])('ignores an invalid header (%s) and starts a new trace', (_label, header) => {
    const trace = new Tracer().start('req', { traceparent: header });
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.traceId).not.toBe(TRACE);
    expect(trace.parentSpanId).toBeNull();
  });

  it('accepts a future version with extra fields, and a single-element header array', () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-00-future`)).toEqual({ traceId: TRACE, spanId: PARENT, flags: '00' });
    expect(parseTraceparent([VALID])).toEqual({ traceId: TRACE, spanId: PARENT, flags: '01' });
  });

  it('reads the sampled bit of the flags, and only that bit', () => {
    expect(isSampled(parseTraceparent(VALID)!)).toBe(true);
    expect(isSampled(parseTraceparent(`00-${TRACE}-${PARENT}-00`)!)).toBe(false);
    expect(isSampled(parseTraceparent(`00-${TRACE}-${PARENT}-02`)!)).toBe(false);
    expect(isSampled(parseTraceparent(`00-${TRACE}-${PARENT}-03`)!)).toBe(true);
  });

  it('round-trips through format', () => {
    const ctx = parseTraceparent(VALID)!;
    expect(formatTraceparent(ctx)).toBe(VALID);
  });
});
