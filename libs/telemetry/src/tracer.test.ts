import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, TraceIdRatioBasedSampler, ParentBasedSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { isSpanId, isTraceId } from './trace-context.js';
import { Tracer } from './tracer.js';

describe('Tracer', () => {
  it('without an OpenTelemetry tracer still gives valid, distinct trace and span ids, and records nothing', () => {
    const tracer = new Tracer();
    const traceIds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const trace = tracer.start('t');
      expect(isTraceId(trace.traceId)).toBe(true);
      expect(isSpanId(trace.root.spanId)).toBe(true);
      expect(trace.recording).toBe(false);
      traceIds.add(trace.traceId);
    }
    expect(traceIds.size).toBe(500);
  });

  it('samples a trace as a whole: a parent-based sampler follows the caller\'s flag, a root is drawn by ratio', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = new Tracer({ tracer: provider.getTracer('t') });
    const sampledParent = tracer.start('a', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const unsampledParent = tracer.start('b', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-00' });
    const root = tracer.start('c');
    for (const t of [sampledParent, unsampledParent, root]) {
      t.span('child').end();
      t.end();
    }
    expect([sampledParent.recording, unsampledParent.recording, root.recording]).toEqual([true, false, false]);
    expect([sampledParent.parentSampled, unsampledParent.parentSampled, root.parentSampled]).toEqual([true, false, true]);
    expect(exporter.getFinishedSpans().map((s) => s.name).sort()).toEqual(['a', 'child']);
    expect(unsampledParent.traceparent()).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4737-[0-9a-f]{16}-00$/);
  });

  it('rejects bad options with TypeError and RangeError', () => {
    expect(() => new Tracer({ tracer: {} as never })).toThrow(TypeError);
    expect(() => new Tracer({ maxSpansPerTrace: 0 })).toThrow(RangeError);
  });
});
