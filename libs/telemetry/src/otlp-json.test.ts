import { describe, expect, it } from 'vitest';
import { msToUnixNano, toOtlpJson } from './otlp-json.js';
import { Tracer } from './tracer.js';

describe('OTLP/JSON', () => {
  it('encodes ExportTraceServiceRequest: hex ids of the right length, nano timestamps as strings, AnyValue attributes', async () => {
    const trace = new Tracer().start('req', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', attributes: { model: 'm', rows: 3, ratio: 0.5, ok: true } });
    await trace.within('inference', () => new Promise((r) => setTimeout(r, 2)));
    trace.end();
    const out = toOtlpJson([trace.toJSON()], { serviceName: 'coordinator', attributes: { 'host.name': 'h1' } });

    expect(out.resourceSpans).toHaveLength(1);
    const rs = out.resourceSpans[0]!;
    expect(rs.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'coordinator' } });
    expect(rs.scopeSpans[0]!.scope.name).toBe('@infermesh/telemetry');
    const spans = rs.scopeSpans[0]!.spans;
    expect(spans.map((s) => s.name)).toEqual(['req', 'inference']);
    for (const s of spans) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof s.startTimeUnixNano).toBe('string');
      expect(s.startTimeUnixNano).toMatch(/^\d{19}$/);
      expect(s.endTimeUnixNano).toMatch(/^\d{19}$/);
      expect(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano)).toBe(true);
    }
    expect(spans[0]!.parentSpanId).toBe('00f067aa0ba902b7');
    expect(spans[0]!.kind).toBe(2);
    expect(spans[1]!.parentSpanId).toBe(spans[0]!.spanId);
    expect(spans[1]!.kind).toBe(1);
    expect(BigInt(spans[1]!.endTimeUnixNano) - BigInt(spans[1]!.startTimeUnixNano)).toBeGreaterThanOrEqual(1_000_000n);
    expect(spans[0]!.attributes).toEqual([
      { key: 'model', value: { stringValue: 'm' } },
      { key: 'rows', value: { intValue: '3' } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
      { key: 'ok', value: { boolValue: true } },
    ]);
    // A JSON round trip keeps everything (no bigint, no undefined).
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('omits parentSpanId on a root without a caller, and exports an open span as ending with the root', () => {
    const trace = new Tracer().start('req');
    trace.span('left-open');
    trace.end();
    const [root, open] = toOtlpJson([trace.toJSON()], { serviceName: 's' }).resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(root).not.toHaveProperty('parentSpanId');
    expect(open!.attributes).toContainEqual({ key: 'open', value: { boolValue: true } });
    expect(BigInt(open!.endTimeUnixNano)).toBe(BigInt(root!.endTimeUnixNano));
  });

  it('converts fractional epoch ms to exact nanoseconds', () => {
    expect(msToUnixNano(1_700_000_000_000)).toBe('1700000000000000000');
    expect(msToUnixNano(1_700_000_000_000.5)).toBe('1700000000000500000');
    expect(msToUnixNano(1.9999994)).toBe('1999999');
    expect(msToUnixNano(0.9999999999)).toBe('1000000');
  });
});
