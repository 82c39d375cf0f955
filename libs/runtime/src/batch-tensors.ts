import { TYPED_ARRAY_OF, type Tensor, type TensorData } from '@infermesh/contracts';
import { BadInputError, DatatypeMismatchError, ShapeMismatchError } from './errors.js';

/** Elements per row: the product of every dimension after the first. */
function rowSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 1; i < shape.length; i++) n *= shape[i] as number;
  return n;
}

/**
 * Stacks tensors along dimension 0 into one batch tensor. Every tensor must have the same datatype,
 * rank ≥ 1 and the same dimensions after the first. One tensor is returned as it is, without a copy.
 */
export function concatBatch(tensors: readonly Tensor[]): Tensor {
  const first = tensors[0];
  if (!first) throw new BadInputError('concatBatch needs at least one tensor');
  if (first.shape.length === 0) throw new ShapeMismatchError('concatBatch needs tensors of rank ≥ 1, got a scalar');
  if (tensors.length === 1) return first;
  const tail = first.shape.slice(1);
  let rows = 0;
  for (const [i, t] of tensors.entries()) {
    if (t.datatype !== first.datatype) {
      throw new DatatypeMismatchError(`concatBatch: tensor ${i} is ${t.datatype}, tensor 0 is ${first.datatype}`);
    }
    if (t.shape.length !== first.shape.length || t.shape.some((d, k) => k > 0 && d !== first.shape[k])) {
      throw new ShapeMismatchError(
        `concatBatch: tensor ${i} has shape [${t.shape.join(', ')}], expected [*, ${tail.join(', ')}]`,
      );
    }
    rows += t.shape[0] as number;
  }
  return { datatype: first.datatype, shape: [rows, ...tail], data: concatData(tensors) };
}

function concatData(tensors: readonly Tensor[]): TensorData {
  const first = tensors[0] as Tensor;
  if (first.datatype === 'BYTES') return tensors.flatMap((t) => t.data as string[]);
  let total = 0;
  for (const t of tensors) total += t.data.length;
  const out = new TYPED_ARRAY_OF[first.datatype](total);
  let offset = 0;
  for (const t of tensors) {
    // Datatypes were checked equal, so every part is an array of out's class.
    (out as Float32Array).set(t.data as Float32Array, offset);
    offset += t.data.length;
  }
  return out;
}

/**
 * Cuts a batch tensor along dimension 0 into parts of `rows[i]` rows each; the rows must add up to
 * the first dimension. Each part owns a copy of its data, so it can be transferred or kept alone.
 */
export function splitBatch(tensor: Tensor, rows: readonly number[]): Tensor[] {
  if (tensor.shape.length === 0) throw new ShapeMismatchError('splitBatch needs a tensor of rank ≥ 1, got a scalar');
  let total = 0;
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0) throw new BadInputError(`splitBatch: row count ${r} is not a non-negative integer`);
    total += r;
  }
  if (total !== tensor.shape[0]) {
    throw new ShapeMismatchError(`splitBatch: rows add up to ${total}, the tensor has ${tensor.shape[0]}`);
  }
  const tail = tensor.shape.slice(1);
  const size = rowSize(tensor.shape);
  const parts: Tensor[] = [];
  let offset = 0;
  for (const r of rows) {
    const end = offset + r * size;
    parts.push({ datatype: tensor.datatype, shape: [r, ...tail], data: tensor.data.slice(offset, end) as TensorData });
    offset = end;
  }
  return parts;
}
