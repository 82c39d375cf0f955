import { INTEGER_RANGE, TYPED_ARRAY_OF, type Datatype } from './datatype.js';
import { ApiError } from './errors.js';
import { parseInferRequestJson } from './infer-request-parse.js';
import type { InferRequestJson, InferResponseJson, Parameters } from './inference-protocol.js';
import { elementCount, type Tensor, type TensorMap } from './tensor.js';
import { tensorFromBinary, tensorToBinary, type BytesElements } from './binary-tensor.js';

/**
 * The gRPC form of the Open Inference Protocol (`inference.GRPCInferenceService`, shipped as
 * `proto/grpc_service.proto`): its infer messages to and from the typed tensors every other surface
 * uses. Raw contents go through the binary tensor codec (one codec for HTTP and gRPC); typed
 * `contents` become typed arrays directly. Pure functions: no sockets, no gRPC library.
 */

/**
 * How `@grpc/proto-loader` must decode the messages for the types below: field names as in the
 * .proto, 64-bit integers as decimal strings (exact), unset fields present, and a oneof's chosen
 * field named in `parameter_choice`.
 */
export const GRPC_LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

/** A 64-bit integer as protobuf carries it: a decimal string when decoded, a string or number when encoded. */
type Int64 = string | number;

export interface GrpcInferParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param' | undefined;
  bool_param?: boolean | undefined;
  int64_param?: Int64 | undefined;
  string_param?: string | undefined;
  double_param?: number | undefined;
  uint64_param?: Int64 | undefined;
}
export type GrpcParameters = Record<string, GrpcInferParameter>;

export interface GrpcTensorContents {
  bool_contents?: boolean[] | undefined;
  int_contents?: number[] | undefined;
  int64_contents?: Int64[] | undefined;
  uint_contents?: number[] | undefined;
  uint64_contents?: Int64[] | undefined;
  fp32_contents?: number[] | undefined;
  fp64_contents?: number[] | undefined;
  bytes_contents?: Uint8Array[] | undefined;
}

export interface GrpcInferRequest {
  model_name?: string | undefined;
  model_version?: string | undefined;
  id?: string | undefined;
  parameters?: GrpcParameters | undefined;
  inputs?: Array<{
    name?: string | undefined;
    datatype?: string | undefined;
    shape?: Int64[] | undefined;
    parameters?: GrpcParameters | undefined;
    contents?: GrpcTensorContents | null | undefined;
  }> | undefined;
  outputs?: Array<{ name?: string | undefined; parameters?: GrpcParameters | undefined }> | undefined;
  raw_input_contents?: Uint8Array[] | undefined;
}

export interface GrpcInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  parameters: GrpcParameters;
  outputs: Array<{ name: string; datatype: Datatype; shape: number[]; parameters: GrpcParameters; contents?: GrpcTensorContents }>;
  raw_output_contents: Uint8Array[];
}

/** A decoded ModelInfer request: the protocol's request header (no data) and every input as a typed tensor. */
export interface GrpcDecodedRequest {
  request: InferRequestJson;
  inputs: Map<string, Tensor>;
  /**
   * Whether the answer goes as raw_output_contents: the request's `binary_data_output` parameter when it
   * is a boolean (the HTTP side's name), else whether the request itself sent raw_input_contents.
   */
  raw: boolean;
}

/** The typed answer of a request, as the coordinator's service gives it. */
export type TensorAnswerLike = Omit<InferResponseJson, 'outputs'> & { outputs: TensorMap };

/** The `contents` field of each datatype; FP16 has none (raw contents only). */
const CONTENTS_FIELD = {
  BOOL: 'bool_contents', UINT8: 'uint_contents', UINT16: 'uint_contents', UINT32: 'uint_contents', UINT64: 'uint64_contents',
  INT8: 'int_contents', INT16: 'int_contents', INT32: 'int_contents', INT64: 'int64_contents', FP32: 'fp32_contents',
  FP64: 'fp64_contents', BYTES: 'bytes_contents',
} as const satisfies Partial<Record<Datatype, keyof GrpcTensorContents>>;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function invalid(name: string, message: string): ApiError {
  return new ApiError('IM_INVALID_INPUT', `input '${name}': ${message}`);
}

function safeInteger(value: Int64, where: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new ApiError('IM_BAD_REQUEST', `${where}: ${value} is not an integer JavaScript holds exactly`);
  return n;
}

/** The parameters of a message as the protocol's JSON parameters; 64-bit integers must be exact as JavaScript numbers. */
export function parametersFromGrpc(parameters: GrpcParameters | undefined, where: string): Parameters | undefined {
  const entries = Object.entries(parameters ?? {});
  if (entries.length === 0) return undefined;
  const out: Parameters = {};
  for (const [key, p] of entries) {
    const at = `${where} parameter '${key}'`;
    switch (p.parameter_choice) {
      case 'bool_param': out[key] = p.bool_param ?? false; break;
      case 'string_param': out[key] = p.string_param ?? ''; break;
      case 'double_param': out[key] = p.double_param ?? 0; break;
      case 'int64_param': out[key] = safeInteger(p.int64_param ?? 0, at); break;
      case 'uint64_param': out[key] = safeInteger(p.uint64_param ?? 0, at); break;
      default: throw new ApiError('IM_BAD_REQUEST', `${at} has no value`);
    }
  }
  return out;
}

/** JSON parameters as InferParameter values: an integer as int64, another number as double. */
export function parametersToGrpc(parameters: Parameters | undefined): GrpcParameters {
  const out: GrpcParameters = {};
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (typeof value === 'boolean') out[key] = { bool_param: value };
    else if (typeof value === 'string') out[key] = { string_param: value };
    else if (Number.isSafeInteger(value)) out[key] = { int64_param: value };
    else out[key] = { double_param: value };
  }
  return out;
}

/**
 * Typed `contents` into the typed array of the datatype: the element count must match the shape, and
 * narrower integers (carried as int32/uint32 on the wire) must fit their type.
 */
export function tensorFromContents(name: string, datatype: Datatype, shape: number[], contents: GrpcTensorContents, elements: BytesElements = 'utf8'): Tensor {
  if (datatype === 'FP16') throw invalid(name, 'FP16 has no typed contents: send it as raw_input_contents');
  const field = CONTENTS_FIELD[datatype];
  const values = (contents[field] ?? []) as unknown[];
  const count = elementCount(shape);
  for (const [other, list] of Object.entries(contents)) {
    if (other !== field && Array.isArray(list) && list.length > 0) throw invalid(name, `${datatype} data goes in ${field}, not ${other}`);
  }
  if (values.length !== count) throw invalid(name, `${field} has ${values.length} elements, shape [${shape.join(', ')}] needs ${count}`);
  if (datatype === 'BYTES') {
    const data = (values as Uint8Array[]).map((bytes, i) => {
      try {
        return elements === 'base64' ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : utf8.decode(bytes);
      } catch {
        throw invalid(name, `BYTES element ${i} is not valid UTF-8`);
      }
    });
    return { datatype, shape, data };
  }
  if (datatype === 'INT64') return { datatype, shape, data: BigInt64Array.from(values as Int64[], (v) => BigInt(v)) };
  if (datatype === 'UINT64') return { datatype, shape, data: BigUint64Array.from(values as Int64[], (v) => BigInt(v)) };
  const numbers = datatype === 'BOOL' ? (values as boolean[]).map(Number) : (values as number[]);
  const range = INTEGER_RANGE[datatype];
  if (range && datatype !== 'BOOL') {
    const i = numbers.findIndex((v) => v < range[0] || v > range[1]);
    if (i >= 0) throw invalid(name, `element ${i} (${numbers[i]}) is not a ${datatype} value`);
  }
  return { datatype, shape, data: TYPED_ARRAY_OF[datatype].from(numbers) };
}

/** A typed tensor as typed `contents`. FP16 has no field: it travels raw only. */
export function tensorToContents(tensor: Tensor): GrpcTensorContents {
  const { datatype, data } = tensor;
  if (datatype === 'FP16') throw new TypeError('FP16 has no typed contents: answer it as raw_output_contents');
  const field = CONTENTS_FIELD[datatype];
  if (datatype === 'BYTES') return { [field]: (data as string[]).map((s) => encoder.encode(s)) };
  if (datatype === 'INT64' || datatype === 'UINT64') return { [field]: Array.from(data as BigInt64Array, String) };
  if (datatype === 'BOOL') return { [field]: Array.from(data as Uint8Array, (v) => v !== 0) };
  return { [field]: Array.from(data as ArrayLike<number>) };
}

/**
 * A ModelInfer request as the protocol's request (validated by the same schema as the HTTP body) and
 * its inputs as typed tensors: from raw_input_contents (one per input, in order, through the binary
 * tensor codec) or from each input's typed contents, never both.
 */
export function inferRequestFromGrpc(message: GrpcInferRequest, rawBytesInputs: readonly string[] = []): GrpcDecodedRequest {
  const raw = message.raw_input_contents ?? [];
  const given = message.inputs ?? [];
  const header = {
    ...(message.id ? { id: message.id } : {}),
    ...optional('parameters', parametersFromGrpc(message.parameters, 'request')),
    inputs: given.map((input) => ({
      name: input.name ?? '',
      datatype: input.datatype ?? '',
      shape: (input.shape ?? []).map((d) => Number(d)),
      ...optional('parameters', parametersFromGrpc(input.parameters, `input '${input.name}'`)),
    })),
    ...(message.outputs && message.outputs.length > 0
      ? {
          outputs: message.outputs.map((o) => ({
            name: o.name ?? '',
            ...optional('parameters', parametersFromGrpc(o.parameters, `output '${o.name}'`)),
          })),
        }
      : {}),
  };
  const parsed = parseInferRequestJson(header);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError('IM_BAD_REQUEST', `${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`);
  }
  const request = parsed.data;
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    throw new ApiError('IM_BAD_REQUEST', `raw_input_contents has ${raw.length} entries for ${request.inputs.length} inputs (one per input, in order)`);
  }
  const inputs = new Map<string, Tensor>();
  request.inputs.forEach((input, i) => {
    const contents = given[i]?.contents;
    const { name, datatype, shape } = input;
    if (raw.length > 0) {
      if (contents && hasElements(contents)) throw invalid(name, 'has contents while the request carries raw_input_contents (one or the other)');
      inputs.set(name, tensorFromBinary(name, datatype, shape, raw[i]!, rawBytesInputs.includes(name) ? 'base64' : 'utf8'));
    } else {
      if (!contents) throw invalid(name, 'has neither contents nor raw_input_contents');
      inputs.set(name, tensorFromContents(name, datatype, shape, contents, rawBytesInputs.includes(name) ? 'base64' : 'utf8'));
    }
  });
  const asked = request.parameters?.['binary_data_output'];
  return { request, inputs, raw: typeof asked === 'boolean' ? asked : raw.length > 0 };
}

/**
 * A typed answer as a ModelInferResponse: every output raw (raw_output_contents, in the order of
 * `outputs`) or every output as typed contents; the protocol does not mix the two in one answer, so
 * an answer with an FP16 output (no typed field) is raw whatever was asked.
 */
export function inferResponseToGrpc(answer: TensorAnswerLike, asked: { raw: boolean }): GrpcInferResponse {
  const entries = Object.entries(answer.outputs);
  const raw = asked.raw || entries.some(([, tensor]) => tensor.datatype === 'FP16');
  return {
    model_name: answer.model_name,
    model_version: answer.model_version ?? '',
    id: answer.id ?? '',
    parameters: parametersToGrpc(answer.parameters),
    outputs: entries.map(([name, tensor]) => ({
      name,
      datatype: tensor.datatype,
      shape: [...tensor.shape],
      parameters: {},
      ...(raw ? {} : { contents: tensorToContents(tensor) }),
    })),
    raw_output_contents: raw ? entries.map(([, tensor]) => tensorToBinary(tensor)) : [],
  };
}

function hasElements(contents: GrpcTensorContents): boolean {
  return Object.values(contents).some((list) => Array.isArray(list) && list.length > 0);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
