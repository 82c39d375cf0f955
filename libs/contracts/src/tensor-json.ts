import { INTEGER_RANGE, TYPED_ARRAY_OF, type Datatype, type TensorData } from './datatype.js';
import { ApiError } from './errors.js';
import { elementCount, type Tensor } from './tensor.js';
import type { InferInputJson, InferOutputJson } from './inference-protocol.js';

const MAX_NESTING = 16;
/** The largest finite FP32: a larger JSON number would become Infinity in a Float32Array. */
const FP32_MAX = 3.4028234663852886e38;
/** `String.prototype.isWellFormed` (Node 20; ES2024, newer than this project's `lib`). */
type WellFormed = string & { isWellFormed(): boolean };

function flatten(data: unknown, out: unknown[], depth: number): void {
  if (!Array.isArray(data)) {
    out.push(data);
    return;
  }
  if (depth > MAX_NESTING) throw new ApiError('IM_INVALID_INPUT', 'data is nested too deeply');
  for (const d of data) flatten(d, out, depth + 1);
}

function invalid(name: string, message: string): ApiError {
  return new ApiError('IM_INVALID_INPUT', `input '${name}': ${message}`);
}

/**
 * Turns an input of the protocol's JSON form (nested or flat, row-major) into a typed tensor.
 * Every element is checked against the datatype: a wrong type or an integer out of range is refused.
 */
export function tensorFromJson(input: InferInputJson): Tensor {
  const { name, datatype, shape } = input;
  if (input.data === undefined) throw invalid(name, 'has neither data nor binary data (parameters.binary_data_size)');
  const flat: unknown[] = [];
  flatten(input.data, flat, 0);
  const expected = elementCount(shape);
  if (flat.length !== expected) {
    throw invalid(name, `data has ${flat.length} elements, shape [${shape.join(', ')}] needs ${expected}`);
  }
  return { datatype, shape: [...shape], data: toTensorData(name, datatype, flat) };
}

function toTensorData(name: string, datatype: Datatype, flat: unknown[]): TensorData {
  if (datatype === 'BYTES') {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      if (typeof v !== 'string') throw invalid(name, `element ${i} is not a string (BYTES elements are strings)`);
      // A lone surrogate (`"\ud800"`) is valid JSON but has no UTF-8 encoding.
      if (!(v as WellFormed).isWellFormed()) throw invalid(name, `element ${i} is not valid UTF-8 (a lone surrogate)`);
    }
    return flat as string[];
  }
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const out = datatype === 'INT64' ? new BigInt64Array(flat.length) : new BigUint64Array(flat.length);
    const [lo, hi] = datatype === 'INT64' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
    flat.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || BigInt(v) < lo || BigInt(v) > hi) {
        throw invalid(name, `element ${i} is not a ${datatype} integer`);
      }
      out[i] = BigInt(v);
    });
    return out;
  }
  const out = new TYPED_ARRAY_OF[datatype](flat.length);
  const range = INTEGER_RANGE[datatype];
  for (let i = 0; i < flat.length; i++) {
    let v = flat[i];
    if (datatype === 'BOOL' && typeof v === 'boolean') v = v ? 1 : 0;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(name, `element ${i} is not a finite number`);
    if (range && (!Number.isInteger(v) || v < range[0] || v > range[1])) {
      throw invalid(name, `element ${i} (${v}) is not a ${datatype} value`);
    }
    if (datatype === 'FP32' && Math.abs(v) > FP32_MAX) throw invalid(name, `element ${i} (${v}) is out of the FP32 range`);
    out[i] = v;
  }
  return out;
}

/** JSON has no NaN or Infinity: such an output element is written as the string `"NaN"`, `"Infinity"` or `"-Infinity"`. */
const jsonNumber = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

/**
 * Turns a typed tensor back into the protocol's JSON form (flat, row-major). A non-finite float
 * (a model may answer NaN or ±Infinity) is written as a string, never as `null`.
 */
export function tensorToJson(name: string, tensor: Tensor): InferOutputJson {
  const { datatype, shape, data } = tensor;
  let json: Array<number | string | boolean>;
  if (datatype === 'BOOL') json = Array.from(data as Uint8Array, (v) => v !== 0);
  else if (datatype === 'INT64' || datatype === 'UINT64') json = Array.from(data as BigInt64Array, Number);
  else if (datatype === 'FP32' || datatype === 'FP64') json = Array.from(data as Float32Array, jsonNumber);
  else json = Array.from(data as ArrayLike<number | string>);
  return { name, datatype, shape: [...shape], data: json };
}
