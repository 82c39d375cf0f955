import { z } from 'zod/v4';

/** The tensor element types of the Open Inference Protocol (KServe v2). */
export const DATATYPES = [
  'BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64',
  'FP16', 'FP32', 'FP64', 'BYTES',
] as const;

export const DatatypeSchema = z.enum(DATATYPES);
export type Datatype = z.infer<typeof DatatypeSchema>;

/**
 * How each datatype is held in memory. FP16 is kept as its raw IEEE-754 half bits (Node 20 has no
 * Float16Array); BYTES as one string per element, as the protocol's JSON form carries them.
 */
export interface TensorDataMap {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BYTES: string[];
}

export type TensorData = TensorDataMap[Datatype];

type NumericDatatype = Exclude<Datatype, 'BYTES'>;
type TypedArrayConstructor =
  | Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor | BigUint64ArrayConstructor
  | Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor
  | Float32ArrayConstructor | Float64ArrayConstructor;

/** The typed array class that holds each numeric datatype. */
export const TYPED_ARRAY_OF = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
} as const satisfies Record<NumericDatatype, TypedArrayConstructor>;

/** Integer ranges a JSON number must fall in for each integer datatype (64-bit types use bigint). */
export const INTEGER_RANGE: Partial<Record<Datatype, readonly [number, number]>> = {
  BOOL: [0, 1],
  UINT8: [0, 255],
  UINT16: [0, 65_535],
  UINT32: [0, 4_294_967_295],
  INT8: [-128, 127],
  INT16: [-32_768, 32_767],
  INT32: [-2_147_483_648, 2_147_483_647],
  FP16: [0, 65_535],
};

/** Bytes per element, for size limits. BYTES counts the UTF-16 length of each string. */
export function bytesPerElement(datatype: Datatype): number {
  return datatype === 'BYTES' ? 1 : TYPED_ARRAY_OF[datatype].BYTES_PER_ELEMENT;
}
