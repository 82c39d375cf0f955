import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tracer } from './tracer.js';
import { TraceStore } from './trace-store.js';
import type { Trace } from './trace.js';

/** A clock the test moves by hand, and a counter-based id source: fully deterministic traces. */
function fixture() {
  let now = 1_700_000_000_000.25;
  let n = 0;
  const tick = (ms: number) => (now += ms);
  const randomBytes = (size: number) => {
    n++;
    const bytes = new Uint8Array(size);
    bytes[size - 1] = n & 0xff;
    bytes[size - 2] = (n >> 8) & 0xff;
    return bytes;
  };
  const ended: Trace[] = [];
  const store = new TraceStore({ maxTraces: 10 });
  const tracer = new Tracer({ clock: () => now, randomBytes, store, sinks: [{ export: (t) => ended.push(t) }] });
  return { tracer, tick, ended, store };
}

describe('Trace', () => {
  it('holds the expected spans in order, each inside the root, with non-negative durations', async () => {
    const { tracer, tick, ended } = fixture();
    const trace = tracer.start('POST /infer', { attributes: { model: 'm' } });
    tick(0.3);
    trace.span('cache').end({ hit: false });
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

    const json = trace.toJSON();
    expect(json.spans.map((s) => s.name)).toEqual([
      'POST /infer', 'cache', 'admission', 'batch-wait', 'transport', 'preprocess', 'inference', 'postprocess',
    ]);
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
    expect(byName['cache']!.attributes).toEqual({ hit: false });
    expect(root!.durationMs).toBeCloseTo(3.95, 3);
    expect(ended).toEqual([trace]);
  });

  it('nests spans and marks a throwing `within` as an error', async () => {
    const { tracer, tick } = fixture();
    const trace = tracer.start('req');
    const outer = trace.span('transport');
    await expect(outer.within('inner', () => { tick(1); throw Object.assign(new Error('x'), { code: 'E_X' }); })).rejects.toThrow('x');
    outer.end();
    trace.end();
    const inner = trace.toJSON().spans.find((s) => s.name === 'inner')!;
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(inner.attributes).toEqual({ error: true, 'error.type': 'E_X' });
    expect(inner.durationMs).toBe(1);
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
    const { tracer, tick } = fixture();
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
    expect(added[0]!.toJSON().attributes['clock.shift_ms']).toBe(1000 - 2);
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
    const tracer = new Tracer({ maxSpansPerTrace: 2 });
    const trace = tracer.start('req');
    for (let i = 0; i < 5; i++) trace.span(`s${i}`).end();
    trace.end();
    const json = trace.toJSON();
    expect(json.spans).toHaveLength(3);
    expect(json.droppedSpans).toBe(3);
  });
});
