import { SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tracer } from './tracer.js';
import { TraceStore } from './trace-store.js';
import type { Trace } from './trace.js';

/**
 * A clock the test moves by hand, a real SDK provider whose spans go to the SDK's in-memory exporter
 * and to a trace store: what an OTLP exporter would be handed, without the network.
 */
function fixture(options: { sampled?: boolean; maxSpansPerTrace?: number } = {}) {
  let now = 1_700_000_000_000.25;
  const tick = (ms: number) => (now += ms);
  const ended: Trace[] = [];
  const store = new TraceStore({ maxTraces: 10 });
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [store, new SimpleSpanProcessor(exporter)], ...(options.sampled === false ? { sampler: new AlwaysOffSampler() } : {}),
  });
  const tracer = new Tracer({
    tracer: provider.getTracer('test'), clock: () => now, store, sinks: [{ export: (t) => ended.push(t) }],
    ...(options.maxSpansPerTrace !== undefined ? { maxSpansPerTrace: options.maxSpansPerTrace } : {}),
  });
  const exported = () => exporter.getFinishedSpans();
  return { tracer, tick, ended, store, exported };
}

describe('Trace', () => {
  it('holds the expected spans in order, each inside the root, with non-negative durations', async () => {
    const { tracer, tick, ended, store, exported } = fixture();
    const trace = tracer.start('POST /infer', { attributes: { 'infermesh.model': 'm' } });
    tick(0.3);
    trace.span('cache').end({ 'infermesh.cache': 'miss' });
    tick(0.1);
    const admission = trace.span('admission');
    tick(0.05);
    admission.end();
    await trace.within('batch-wait', () => { tick(2); });
    const transport = trace.span('transport');
    tick(0.5);
    trace.addRemoteSpans(transport, [
      { name: 'preprocess', startMs: transport.startMs + 0.1, durationMs: 0.1 },
      { name: 'inference', startMs: transport.startMs + 0.2, durationMs: 0.2 },
      { name: 'postprocess', startMs: transport.startMs + 0.4, durationMs: 0.05 },
    ]);
    transport.end();
    tick(1);
    trace.end({ outcome: 'ok' });

    expect(trace.toJSON().spans.map((s) => s.name)).toEqual([
      'POST /infer', 'cache', 'admission', 'batch-wait', 'transport', 'preprocess', 'inference', 'postprocess',
    ]);
    const json = store.get(trace.traceId)!.traces[0]!;
    expect(json.spans.map((s) => s.name)).toEqual([
      'POST /infer', 'cache', 'admission', 'batch-wait', 'transport', 'preprocess', 'inference', 'postprocess',
    ]);
    // Exported: this process's spans only (the remote ones are their own process's to export), as OTLP would get them.
    const otlp = exported();
    expect(otlp.map((s) => s.name).sort()).toEqual(['POST /infer', 'admission', 'batch-wait', 'cache', 'transport']);
    const otlpRoot = otlp.find((s) => s.name === 'POST /infer')!;
    expect(otlpRoot.attributes).toEqual({ 'infermesh.model': 'm', outcome: 'ok' });
    expect(hrTimeToMilliseconds(otlpRoot.duration)).toBeCloseTo(3.95, 3);
    for (const s of otlp.filter((x) => x !== otlpRoot)) expect(s.parentSpanContext?.spanId).toBe(otlpRoot.spanContext().spanId);
    const [root, ...children] = json.spans;
    expect(root!.parentSpanId).toBeNull();
    const rootEnd = root!.startMs + root!.durationMs!;
    for (const s of children) {
      expect(s.durationMs).not.toBeNull();
      expect(s.durationMs!).toBeGreaterThanOrEqual(0);
      expect(s.startMs).toBeGreaterThanOrEqual(root!.startMs);
      expect(s.startMs + s.durationMs!).toBeLessThanOrEqual(rootEnd + 1e-9);
    }
    const byName = Object.fromEntries(json.spans.map((s) => [s.name, s]));
    expect(byName['inference']!.parentSpanId).toBe(byName['transport']!.spanId);
    expect(byName['inference']!.remote).toBe(true);
    expect(byName['cache']!.parentSpanId).toBe(root!.spanId);
    expect(byName['cache']!.attributes).toEqual({ 'infermesh.cache': 'miss' });
    expect(root!.durationMs).toBeCloseTo(3.95, 3);
    expect(ended).toEqual([trace]);
  });

  it('nests spans and marks a throwing `within` as an error', async () => {
    const { tracer, tick, exported } = fixture();
    const trace = tracer.start('req');
    const outer = trace.span('transport');
    await expect(outer.within('inner', () => { tick(1); throw Object.assign(new Error('x'), { code: 'E_X' }); })).rejects.toThrow('x');
    outer.end();
    trace.end();
    const inner = exported().find((s) => s.name === 'inner')!;
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanId);
    expect(inner.attributes).toEqual({ 'error.type': 'E_X' });
    expect(inner.status.code).toBe(SpanStatusCode.ERROR);
    expect(hrTimeToMilliseconds(inner.duration)).toBeCloseTo(1, 6);
  });

  it('ending twice keeps the first duration and hands the trace on once', () => {
    const { tracer, tick, ended } = fixture();
    const trace = tracer.start('req');
    tick(2);
    expect(trace.end()).toBe(2);
    tick(5);
    expect(trace.end()).toBe(2);
    expect(ended).toHaveLength(1);
  });

  it('shifts remote spans measured by a skewed clock into their parent', () => {
    const { tracer, tick, store } = fixture();
    const trace = tracer.start('req');
    const transport = trace.span('transport');
    tick(10);
    transport.end();
    // The worker's clock runs 1 s behind ours.
    const added = trace.addRemoteSpans(transport, [
      { name: 'inference', startMs: transport.startMs - 1000 + 2, durationMs: 3 },
    ]);
    expect(added[0]!.startMs).toBeGreaterThanOrEqual(transport.startMs);
    expect(added[0]!.startMs + added[0]!.durationMs!).toBeLessThanOrEqual(transport.startMs + 10);
    expect(store.get(trace.traceId)!.traces[0]!.spans.find((s) => s.name === 'inference')!.attributes['clock.shift_ms']).toBe(1000 - 2);
  });

  it('remote spans keep their order and fit inside any parent long enough to hold them (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.double({ min: -1e6, max: 1e6, noNaN: true }), duration: fc.double({ min: 0, max: 50, noNaN: true }) }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        (remote, extra) => {
          const { tracer, tick } = fixture();
          const trace = tracer.start('req');
          const parent = trace.span('transport');
          const base = parent.startMs;
          const spans = remote.map((r, i) => ({ name: `s${i}`, startMs: Math.max(0, base + r.offset), durationMs: r.duration }));
          const groupLength = Math.max(...spans.map((s) => s.startMs + s.durationMs)) - Math.min(...spans.map((s) => s.startMs));
          tick(groupLength + extra);
          parent.end();
          const added = trace.addRemoteSpans(parent, spans);
          for (const [i, s] of added.entries()) {
            expect(s.startMs).toBeGreaterThanOrEqual(parent.startMs - 1e-6);
            expect(s.startMs + s.durationMs!).toBeLessThanOrEqual(parent.startMs + parent.durationMs! + 1e-6);
            expect(s.startMs - added[0]!.startMs).toBeCloseTo(spans[i]!.startMs - spans[0]!.startMs, 3);
          }
        },
      ),
    );
  });

  it('a worker returns its spans with toRemoteSpans', () => {
    const { tracer, tick } = fixture();
    const trace = tracer.start('worker infer');
    for (const name of ['preprocess', 'inference', 'postprocess']) {
      const s = trace.span(name);
      tick(1);
      s.end();
    }
    trace.end();
    expect(trace.toRemoteSpans().map((s) => [s.name, s.durationMs])).toEqual([['preprocess', 1], ['inference', 1], ['postprocess', 1]]);
  });

  it('records at most maxSpansPerTrace spans beyond the root and counts the rest', () => {
    const { tracer } = fixture({ maxSpansPerTrace: 2 });
    const trace = tracer.start('req');
    for (let i = 0; i < 5; i++) trace.span(`s${i}`).end();
    trace.end();
    const json = trace.toJSON();
    expect(json.spans).toHaveLength(3);
    expect(json.droppedSpans).toBe(3);
  });

  it('an unsampled trace makes no OpenTelemetry span below its root, yet times its stages', () => {
    const { tracer, tick, exported, store } = fixture({ sampled: false });
    const trace = tracer.start('req');
    const transport = trace.span('transport', { 'infermesh.lane': 'x' });
    expect(trace.recording).toBe(false);
    expect(transport.recording).toBe(false);
    // It shares its parent's non-recording span: same ids, flag 00 downstream.
    expect(transport.otel).toBe(trace.root.otel);
    expect(trace.traceparent(transport)).toBe(`00-${trace.traceId}-${trace.root.spanId}-00`);
    tick(4);
    transport.end();
    trace.end();
    expect(trace.toJSON().spans.map((s) => [s.name, s.durationMs])).toEqual([['req', 4], ['transport', 4]]);
    expect(exported()).toEqual([]);
    expect(store.get(trace.traceId)).toBeUndefined();
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.traceId).not.toBe('0'.repeat(32));
  });
});
