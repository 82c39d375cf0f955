import type { Datatype } from './datatype.js';
import { ApiError } from './errors.js';
import type { InferRequestJson } from './inference-protocol.js';
import type { ModelSpec } from './model-spec.js';
import type { Tensor } from './tensor.js';

/** The datatypes Triton's classification extension ranks; the others (BOOL, FP16, BYTES) are refused, as Triton does. */
const RANKED: ReadonlySet<Datatype> = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP32', 'FP64']);

/** One output a request asked to classify: its name and how many classes per row. */
export interface ClassificationRequest {
  output: string;
  count: number;
}

/**
 * The outputs a request asks to classify (`outputs[].parameters.classification`), checked against the
 * model before any work: a count that is not a positive integer is IM_BAD_REQUEST, an output whose
 * datatype cannot be ranked IM_INVALID_INPUT.
 */
export function classificationRequests(spec: ModelSpec, request: InferRequestJson): ClassificationRequest[] {
  const asked: ClassificationRequest[] = [];
  for (const output of request.outputs ?? []) {
    const count = output.parameters?.['classification'];
    if (count === undefined) continue;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw new ApiError('IM_BAD_REQUEST', `output '${output.name}': parameters.classification must be a positive integer, got ${JSON.stringify(count)}`);
    }
    const declared = spec.outputs.find((o) => o.name === output.name);
    if (declared && !RANKED.has(declared.datatype)) {
      throw new ApiError('IM_INVALID_INPUT', `output '${output.name}': classification is not available for datatype ${declared.datatype}`);
    }
    asked.push({ output: output.name, count });
  }
  return asked;
}

/** Triton writes a float value with C's `%f` (std::to_string): six decimals; an integer as it is. */
function formatValue(datatype: Datatype, value: number | bigint): string {
  return datatype === 'FP32' || datatype === 'FP64' ? (value as number).toFixed(6) : String(value);
}

/**
 * Triton's classification extension: the `count` highest-valued classes of each row of `tensor` (its last
 * dimension holds the classes), highest first, ties by the lower index. The answer is a BYTES tensor of
 * shape `[...rows, min(count, classes)]` whose elements are `"<value>:<index>"`, or `"<value>:<index>:<label>"`
 * when `labels` names the class.
 */
export function classifyTensor(tensor: Tensor, count: number, labels: readonly string[] = []): Tensor<'BYTES'> {
  if (!RANKED.has(tensor.datatype)) throw new ApiError('IM_INVALID_INPUT', `classification is not available for datatype ${tensor.datatype}`);
  const classes = tensor.shape.length === 0 ? 1 : tensor.shape[tensor.shape.length - 1]!;
  const rows = classes === 0 ? 0 : tensor.data.length / classes;
  const k = Math.min(count, classes);
  const data = tensor.data as ArrayLike<number | bigint>;
  const out: string[] = new Array(rows * k);
  const order = Array.from({ length: classes }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    const value = (i: number): number | bigint => data[base + i]!;
    // Array.prototype.sort is stable: equal values keep index order. NaN ranks last.
    const ranked = [...order].sort((a, b) => {
      const va = value(a);
      const vb = value(b);
      if (va === vb) return 0;
      if (typeof va === 'number' && Number.isNaN(va)) return 1;
      if (typeof vb === 'number' && Number.isNaN(vb)) return -1;
      return va > vb ? -1 : 1;
    });
    for (let j = 0; j < k; j++) {
      const index = ranked[j]!;
      const label = labels[index];
      out[r * k + j] = `${formatValue(tensor.datatype, value(index))}:${index}${label !== undefined ? `:${label}` : ''}`;
    }
  }
  const shape = tensor.shape.length === 0 ? [k] : [...tensor.shape.slice(0, -1), k];
  return { datatype: 'BYTES', shape, data: out };
}
