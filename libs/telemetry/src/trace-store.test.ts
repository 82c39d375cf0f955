import { describe, expect, it } from 'vitest';
import { InvalidTraceIdError } from './errors.js';
import { TraceStore } from './trace-store.js';
import { Tracer } from './tracer.js';

describe('TraceStore', () => {
  it('serves a trace by id, in flight and after it ends, as JSON', () => {
    const store = new TraceStore();
    const tracer = new Tracer({ store });
    const trace = tracer.start('req');
    const span = trace.span('inference');
    expect(store.get(trace.traceId)?.traces[0]?.spans.map((s) => s.durationMs)).toEqual([null, null]);
    span.end();
    trace.end();
    const stored = store.get(trace.traceId)!;
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
    expect(stored.traces[0]!.spans.every((s) => s.durationMs !== null)).toBe(true);
  });

  it('evicts the least recently used trace beyond maxTraces', () => {
    const store = new TraceStore({ maxTraces: 2 });
    const tracer = new Tracer({ store });
    const [a, b, c] = [tracer.start('a'), tracer.start('b'), tracer.start('c')];
    expect(store.size).toBe(2);
    expect(store.get(a.traceId)).toBeUndefined();
    expect(store.get(b.traceId)).toBeDefined();
    tracer.start('d');
    expect(store.get(c.traceId)).toBeUndefined();
    expect(store.get(b.traceId)).toBeDefined();
  });

  it('keeps several local traces under one incoming trace id, bounded', () => {
    const store = new TraceStore({ maxTracesPerId: 2 });
    const tracer = new Tracer({ store });
    const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    for (const name of ['one', 'two', 'three']) tracer.start(name, { traceparent: header }).end();
    expect(store.get('4bf92f3577b34da6a3ce929d0e0e4736')!.traces.map((t) => t.name)).toEqual(['two', 'three']);
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
