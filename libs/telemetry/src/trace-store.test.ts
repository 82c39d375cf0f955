import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { InvalidTraceIdError } from './errors.js';
import { TraceStore } from './trace-store.js';
import { Tracer } from './tracer.js';

/** A tracer whose provider has the store as its span processor, as `createTracing` builds it. */
function storeTracer(options: ConstructorParameters<typeof TraceStore>[0] = {}) {
  const store = new TraceStore(options);
  const tracer = new Tracer({ tracer: new BasicTracerProvider({ spanProcessors: [store] }).getTracer('t'), store });
  return { store, tracer };
}

describe('TraceStore (a SpanProcessor)', () => {
  it('serves a trace by id, in flight and after it ends, as JSON', () => {
    const { store, tracer } = storeTracer();
    const trace = tracer.start('req');
    const span = trace.span('inference');
    expect(store.get(trace.traceId)?.traces[0]?.spans.map((s) => s.durationMs)).toEqual([null, null]);
    span.end();
    trace.end();
    const stored = store.get(trace.traceId)!;
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
    expect(stored.traces[0]!.spans.every((s) => s.durationMs !== null)).toBe(true);
    expect(stored.traces[0]!.spans[1]!.parentSpanId).toBe(trace.root.spanId);
  });

  it('evicts the least recently used trace beyond maxTraces', () => {
    const { store, tracer } = storeTracer({ maxTraces: 2 });
    const [a, b, c] = [tracer.start('a'), tracer.start('b'), tracer.start('c')];
    expect(store.size).toBe(2);
    expect(store.get(a.traceId)).toBeUndefined();
    expect(store.get(b.traceId)).toBeDefined();
    tracer.start('d');
    expect(store.get(c.traceId)).toBeUndefined();
    expect(store.get(b.traceId)).toBeDefined();
  });

  it('groups the spans of one incoming trace id into one local trace per root, and bounds spans per id', () => {
    const { store, tracer } = storeTracer({ maxSpansPerTrace: 4 });
    const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    for (const name of ['one', 'two', 'three']) {
      const t = tracer.start(name, { traceparent: header });
      t.span(`${name}-child`).end();
      t.end();
    }
    const stored = store.get('4bf92f3577b34da6a3ce929d0e0e4736')!;
    expect(stored.traces.map((t) => [t.name, t.parentSpanId, t.spans.map((s) => s.name)])).toEqual([
      ['one', '00f067aa0ba902b7', ['one', 'one-child']], ['two', '00f067aa0ba902b7', ['two', 'two-child']],
    ]);
    expect(stored.traces[0]!.droppedSpans).toBe(2);
  });

  it('refuses a malformed id with IM_TELEMETRY_INVALID_TRACE_ID', () => {
    const store = new TraceStore();
    expect(() => store.get('../etc')).toThrow(InvalidTraceIdError);
    expect(store.get('4bf92f3577b34da6a3ce929d0e0e4736')).toBeUndefined();
  });

  it('rejects bad options with RangeError and TypeError', () => {
    expect(() => new TraceStore({ maxTraces: 0 })).toThrow(RangeError);
    expect(() => new TraceStore({ maxTraces: 'x' as unknown as number })).toThrow(TypeError);
    expect(() => new TraceStore({ nope: 1 } as never)).toThrow(/Invalid trace store option/);
  });
});
