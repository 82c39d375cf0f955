import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from './frame.js';

const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const typedArray = fc.oneof(
  fc.float32Array({ noDefaultInfinity: true }),
  fc.float64Array({ noDefaultInfinity: true }),
  fc.bigInt64Array(),
  fc.bigUint64Array(),
  fc.uint8Array(),
  fc.int16Array(),
  fc.int32Array(),
  fc.uint32Array(),
);
// -0 becomes 0 in msgpack integers; the wire is not expected to keep the sign of zero.
// msgpackr renames `__proto__` keys on decode (a prototype-pollution guard), so they are left out here.
const json = fc
  .jsonValue()
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
  .filter((v) => !JSON.stringify(v).includes('"__proto__"'));
const key = fc.string().filter((k) => k !== '__proto__');
const payload = fc.oneof(json, typedArray, fc.dictionary(key, typedArray, { noNullPrototype: true }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ type: fc.constant('call' as const), id, method: fc.string({ minLength: 1, maxLength: 256 }), payload, deadline: fc.option(fc.integer({ min: 0 }), { nil: undefined }) }),
  fc.record({ type: fc.constant('result' as const), id, payload }),
  fc.record({
    type: fc.constant('error' as const), id, kind: fc.constantFrom('remote' as const, 'invalid-message' as const, 'method-not-found' as const),
    message: fc.string({ maxLength: 200 }), code: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('cancel' as const), id }),
);

describe('frame codec', () => {
  it('decode(encode(frame)) equals the frame, typed arrays keeping their class', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const decoded = decodeFrame(encodeFrame(f));
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
        expect(defined(decoded.frame)).toStrictEqual(defined(f));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps typed array classes and values', () => {
    const f32 = new Float32Array([1, 2.5, -3]);
    const decoded = decodeFrame(encodeFrame({ type: 'result', id: 1, payload: { f32, i64: new BigInt64Array([-1n]) } }));
    expect(decoded.ok && decoded.frame.type === 'result' && decoded.frame.payload).toStrictEqual({ f32, i64: new BigInt64Array([-1n]) });
  });

  it('reports undecodable bytes and envelope failures apart', () => {
    expect(decodeFrame(Buffer.from([0x01, 0x02]))).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(decodeFrame(Buffer.from([0x92, 0x01]))).toMatchObject({ ok: false, reason: 'undecodable' });
    const packr = new Packr({ useRecords: false });
    expect(decodeFrame(packr.pack({ type: 'call', id: 1 }))).toMatchObject({ ok: false, reason: 'envelope' });
    expect(decodeFrame(packr.pack({ type: 'result', id: 1.5 }))).toMatchObject({ ok: false, reason: 'envelope' });
    expect(decodeFrame(packr.pack('just a string'))).toMatchObject({ ok: false, reason: 'envelope' });
  });
});
