import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DATATYPES } from './datatype.js';
import { InferRequestJsonSchema } from './inference-protocol.js';
import { parseInferRequestJson } from './infer-request-parse.js';

/** Mostly what the schema accepts, sometimes a value near its edges or of the wrong type, at every field. */
const scalar = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 }), fc.double(), fc.boolean(), fc.constant(null));
const mostly = <T>(good: fc.Arbitrary<T>, ...odd: Array<fc.Arbitrary<unknown>>) =>
  fc.oneof({ arbitrary: good as fc.Arbitrary<unknown>, weight: 12 }, ...odd.map((arbitrary) => ({ arbitrary, weight: 1 })));
const text = (max: number) => mostly(fc.string({ minLength: 1, maxLength: 6 }), fc.constant(''), fc.string({ minLength: max, maxLength: max + 1 }), scalar);
const parameterValue = mostly(fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), fc.constant(null), fc.constant(Infinity), fc.constant(Number.NaN), fc.array(scalar, { maxLength: 1 }));
const parameters = mostly(
  fc.dictionary(mostly(fc.string({ maxLength: 4 }), fc.constant('__proto__'), fc.constant('7')) as fc.Arbitrary<string>, parameterValue, { maxKeys: 3 }),
  scalar, fc.array(scalar, { maxLength: 2 }),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const dim = mostly(fc.nat(8), fc.constant(-1), fc.constant(1.5), fc.constant(2 ** 53), fc.constant('2'));
const input = fc.record({
  name: text(128),
  shape: mostly(fc.array(dim, { maxLength: 3 }), fc.array(fc.nat(2), { minLength: 17, maxLength: 17 }), scalar),
  datatype: mostly(fc.constantFrom(...DATATYPES), fc.constant('FP33'), scalar),
  parameters: optional(parameters),
  data: optional(mostly(fc.array(scalar, { maxLength: 3 }), scalar)),
  extra: optional(scalar),
}, { requiredKeys: ['name', 'shape', 'datatype'] });
const request = fc.record({
  id: optional(mostly(fc.string({ maxLength: 8 }), fc.string({ minLength: 256, maxLength: 257 }), scalar)),
  parameters: optional(parameters),
  inputs: mostly(fc.array(input, { minLength: 1, maxLength: 3 }), fc.constant([]), fc.array(input, { minLength: 65, maxLength: 65 }), scalar),
  outputs: optional(mostly(fc.array(fc.record({ name: text(128), parameters: optional(parameters) }, { requiredKeys: ['name'] }), { maxLength: 2 }), scalar)),
  other: optional(scalar),
}, { requiredKeys: ['inputs'] });

/** As a body arrives: through JSON, so the objects are JSON.parse's own (and `undefined` keys are gone). */
const body = request.map((r) => JSON.parse(JSON.stringify(r)) as unknown);

describe('parseInferRequestJson', () => {
  it('agrees with InferRequestJsonSchema.safeParse on every body: the same verdict, output and error', () => {
    let accepted = 0;
    fc.assert(fc.property(fc.oneof(body, request), (value) => {
      const ours = parseInferRequestJson(value);
      const zods = InferRequestJsonSchema.safeParse(value);
      expect(ours.success).toBe(zods.success);
      if (ours.success) {
        accepted++;
        expect(ours.data).toStrictEqual(zods.data);
        expect(Object.keys(ours.data)).toEqual(Object.keys(zods.data!));
      } else {
        expect(ours.error.issues).toEqual(zods.error!.issues);
      }
    }), { numRuns: 5000 });
    // The generator is not so wide of the mark that nothing passes.
    expect(accepted).toBeGreaterThan(250);
  });

  it('checks a plain body by hand, passes tensor data through without copying it, and copies what it checked', () => {
    const data = [1, 2, 3, 4];
    const shape = [1, 4];
    const value = { id: 'r1', inputs: [{ name: 'input', datatype: 'FP32', shape, data, extra: 1 }], unknown: true };
    const schema = vi.spyOn(InferRequestJsonSchema, 'safeParse');
    const parsed = parseInferRequestJson(value);
    // Checked by hand: the schema was not asked.
    expect(schema).not.toHaveBeenCalled();
    schema.mockRestore();
    expect(parsed).toEqual({ success: true, data: { id: 'r1', inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], data }] } });
    expect(parsed.data!.inputs[0]!.data).toBe(data);
    expect(parsed.data!.inputs[0]!.shape).not.toBe(shape);
  });
});
