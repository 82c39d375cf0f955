import { describe, expect, it } from 'vitest';
import { isSpanId, isTraceId } from './trace-context.js';
import { pooledRandomBytes, Tracer } from './tracer.js';

describe('pooledRandomBytes (the default id source)', () => {
  it('returns the size asked for, as a copy the next call does not overwrite', () => {
    const a = pooledRandomBytes(8);
    const copy = Uint8Array.from(a);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(16);
    expect(a).toHaveLength(8);
    expect(a).toEqual(copy);
  });

  it('keeps giving full, distinct ids across pool refills (and for sizes over the pool)', () => {
    const seen = new Set<string>();
    // 3000 × 16 bytes is about twelve refills of the 4 KB pool, each crossed at an odd offset.
    for (let i = 0; i < 3000; i++) {
      const size = i % 3 === 0 ? 8 : 16;
      const bytes = pooledRandomBytes(size);
      expect(bytes).toHaveLength(size);
      seen.add(Buffer.from(bytes).toString('hex'));
    }
    expect(seen.size).toBe(3000);
    expect(pooledRandomBytes(10_000)).toHaveLength(10_000);
  });

  it('gives a tracer with no randomBytes option valid, distinct trace and span ids', () => {
    const tracer = new Tracer();
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const trace = tracer.start('t');
      const span = trace.span('s');
      expect(isTraceId(trace.traceId)).toBe(true);
      expect(isSpanId(span.spanId)).toBe(true);
      traceIds.add(trace.traceId);
      spanIds.add(span.spanId).add(trace.root.spanId);
    }
    expect(traceIds.size).toBe(500);
    expect(spanIds.size).toBe(1000);
  });
});

describe('randomHexId with an injected source', () => {
  it('refuses a source that returns fewer bytes than asked', () => {
    const tracer = new Tracer({ randomBytes: () => new Uint8Array(4).fill(1) });
    expect(() => tracer.start('t')).toThrow(RangeError);
  });
});
