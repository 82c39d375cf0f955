import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outputContractViolation, type OutputContract, type Tensor, type TensorMap, type TensorSpec } from './index.js';

const declared: TensorSpec[] = [
  { name: 'logits', datatype: 'FP32', shape: [-1, 2] },
  { name: 'label', datatype: 'BYTES', shape: [-1] },
];
const f32 = (shape: number[]): Tensor => ({ datatype: 'FP32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
const bytes = (n: number): Tensor => ({ datatype: 'BYTES', shape: [n], data: Array.from({ length: n }, () => 'x') });
const all = (rows: number): OutputContract => ({ declared, requested: [], rows });

describe('outputContractViolation', () => {
  it('accepts outputs that keep the declaration, all or the ones asked for', () => {
    expect(outputContractViolation({ logits: f32([3, 2]), label: bytes(3) }, all(3))).toBeUndefined();
    expect(outputContractViolation({ label: bytes(1) }, { declared, requested: ['label'], rows: 1 })).toBeUndefined();
    expect(outputContractViolation({ logits: f32([5, 2]), label: bytes(5) }, { declared, requested: [], rows: undefined })).toBeUndefined();
  });

  it.each<[string, TensorMap, OutputContract, RegExp]>([
    ['a missing output', { logits: f32([1, 2]) }, all(1), /output 'label' is missing/],
    ['a wrong datatype', { logits: { datatype: 'INT32', shape: [1, 2], data: new Int32Array(2) }, label: bytes(1) }, all(1), /'logits' is INT32, declared FP32/],
    ['a wrong shape', { logits: f32([1, 3]), label: bytes(1) }, all(1), /'logits' has shape \[1, 3\], declared \[-1, 2\]/],
    ['a wrong rank', { logits: f32([2]), label: bytes(1) }, all(1), /shape \[2\]/],
    ['a batch dimension other than the request\'s', { logits: f32([4, 2]), label: bytes(4) }, all(1), /'logits' has 4 rows for a request of 1/],
    ['an output the model does not declare', { logits: f32([1, 2]), label: bytes(1), secret: bytes(1) }, all(1), /not asked for: 'secret'/],
    ['an output not asked for', { logits: f32([1, 2]), label: bytes(1) }, { declared, requested: ['label'], rows: 1 }, /not asked for: 'logits'/],
  ])('names %s', (_what, outputs, contract, message) => {
    expect(outputContractViolation(outputs, contract)).toMatch(message);
  });

  it('accepts exactly the answers whose rows and names match (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 64 }), fc.boolean(), (rows, answered, extra) => {
        const outputs: TensorMap = { logits: f32([answered, 2]), label: bytes(answered), ...(extra ? { more: bytes(1) } : {}) };
        expect(outputContractViolation(outputs, all(rows)) === undefined).toBe(answered === rows && !extra);
      }),
    );
  });
});
