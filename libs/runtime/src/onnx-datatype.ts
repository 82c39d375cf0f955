import type { Datatype } from '@infermesh/contracts';
import type { Tensor as OrtTensor } from 'onnxruntime-node';

type OrtType = OrtTensor.Type;

/**
 * Contract datatypes ONNX Runtime runs with, and its name for each. FP16 is left out (ORT wants
 * Float16Array-compatible data Node 20 lacks) and so is BYTES (string tensors; text is turned into
 * numbers by pre-processing before it reaches a model).
 */
export const ORT_TYPE_OF = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP32: 'float32',
  FP64: 'float64',
} as const satisfies Partial<Record<Datatype, OrtType>>;
export type OnnxDatatype = keyof typeof ORT_TYPE_OF;

const DATATYPE_OF = new Map<string, OnnxDatatype>(
  Object.entries(ORT_TYPE_OF).map(([datatype, ort]) => [ort, datatype as OnnxDatatype]),
);

export function isOnnxDatatype(datatype: Datatype): datatype is OnnxDatatype {
  return Object.hasOwn(ORT_TYPE_OF, datatype);
}

/** The contract datatype of an ORT element type, or undefined for one the runtime refuses. */
export function datatypeOfOrt(type: string): OnnxDatatype | undefined {
  return DATATYPE_OF.get(type);
}
