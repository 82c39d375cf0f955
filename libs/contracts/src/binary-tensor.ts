import { TYPED_ARRAY_OF, bytesPerElement, type Datatype } from './datatype.js';
import { ApiError } from './errors.js';
import { elementCount, type Tensor } from './tensor.js';
import type { InferInputJson } from './inference-protocol.js';

/**
 * The binary tensor data extension of the Open Inference Protocol (Triton's `binary_data`):
 * a body is a JSON header of `Inference-Header-Content-Length` bytes, then the raw bytes of each
 * binary tensor in order, little-endian, row-major; a BYTES element is a 4-byte little-endian
 * length followed by its bytes. Pure functions: no sockets.
 */

/** The header that gives the JSON part's length, on requests and responses. */
export const INFERENCE_HEADER_CONTENT_LENGTH = 'inference-header-content-length';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function invalid(name: string, message: string): ApiError {
  return new ApiError('IM_INVALID_INPUT', `input '${name}': ${message}`);
}

/** Splits a body into its JSON header (parsed) and the binary part that follows it. */
export function splitBinaryBody(body: Uint8Array, headerLength: number): { header: unknown; binary: Uint8Array } {
  if (!Number.isSafeInteger(headerLength) || headerLength < 0 || headerLength > body.length) {
    throw new ApiError('IM_BAD_REQUEST', `Inference-Header-Content-Length ${headerLength} does not fit a body of ${body.length} bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(body.subarray(0, headerLength)));
  } catch (error) {
    throw new ApiError('IM_BAD_REQUEST', `the inference header is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return { header, binary: body.subarray(headerLength) };
}

/**
 * How a BYTES tensor's elements are held once decoded: `utf8` text (the default: words, labels), or
 * `base64` text of raw bytes (an encoded image), the form the JSON protocol gives such an element, so
 * an input reads the same whichever way it came. A model spec names its raw inputs (`rawBytesInputs`).
 */
export type BytesElements = 'utf8' | 'base64';

/**
 * Decodes the raw bytes of one tensor straight into the typed array the worker channel carries.
 * The size must be exactly elements × bytes per element (BYTES: the elements' prefixes and bytes).
 */
export function tensorFromBinary(name: string, datatype: Datatype, shape: number[], bytes: Uint8Array, elements: BytesElements = 'utf8'): Tensor {
  const count = elementCount(shape);
  if (datatype === 'BYTES') {
    const data: string[] = [];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < bytes.length) {
      if (at + 4 > bytes.length) throw invalid(name, `BYTES element ${data.length} has a truncated 4-byte length`);
      const length = view.getUint32(at, true);
      at += 4;
      if (at + length > bytes.length) throw invalid(name, `BYTES element ${data.length} claims ${length} bytes, ${bytes.length - at} remain`);
      try {
        const element = bytes.subarray(at, at + length);
        data.push(elements === 'base64' ? Buffer.from(element.buffer, element.byteOffset, element.byteLength).toString('base64') : utf8.decode(element));
      } catch {
        throw invalid(name, `BYTES element ${data.length} is not valid UTF-8`);
      }
      at += length;
    }
    if (data.length !== count) throw invalid(name, `${data.length} BYTES elements, the shape [${shape.join(', ')}] needs ${count}`);
    return { datatype, shape, data };
  }
  const size = count * bytesPerElement(datatype);
  if (bytes.length !== size) {
    throw invalid(name, `binary data of ${bytes.length} bytes, ${datatype} [${shape.join(', ')}] needs ${size}`);
  }
  if (!LITTLE_ENDIAN) throw new ApiError('IM_INTERNAL', 'binary tensor data needs a little-endian host');
  // A copy: the typed array needs its own aligned buffer, and must not hold the whole body alive.
  // `new Uint8Array(view)` copies; a Node Buffer's `slice()` would not (it shares the pool).
  const data = new TYPED_ARRAY_OF[datatype](new Uint8Array(bytes).buffer);
  if (datatype === 'BOOL' && data.some((v) => v > 1)) throw invalid(name, 'a BOOL element is neither 0 nor 1');
  return { datatype, shape, data };
}

/** The raw bytes of one tensor, as the extension writes them (a view, not a copy, for numeric data). */
export function tensorToBinary(tensor: Tensor): Uint8Array {
  if (tensor.datatype === 'BYTES') {
    const parts = (tensor.data as string[]).map((s) => encoder.encode(s));
    const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
    const view = new DataView(out.buffer);
    let at = 0;
    for (const part of parts) {
      view.setUint32(at, part.length, true);
      out.set(part, at + 4);
      at += 4 + part.length;
    }
    return out;
  }
  const data = tensor.data as Exclude<Tensor['data'], string[]>;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A body of the extension: the JSON header, then each binary part in order; and the header's length. */
export function joinBinaryBody(header: unknown, parts: readonly Uint8Array[]): { body: Uint8Array; headerLength: number } {
  const json = encoder.encode(JSON.stringify(header));
  const body = new Uint8Array(json.length + parts.reduce((n, p) => n + p.length, 0));
  body.set(json, 0);
  let at = json.length;
  for (const part of parts) {
    body.set(part, at);
    at += part.length;
  }
  return { body, headerLength: json.length };
}

/**
 * The binary part of a request, cut by each input's `parameters.binary_data_size` in the inputs' order,
 * decoded to typed tensors by input name. The sizes must add up to the binary part exactly.
 */
export function binaryInputs(inputs: readonly InferInputJson[], binary: Uint8Array, rawBytesInputs: readonly string[] = []): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let at = 0;
  for (const input of inputs) {
    const size = input.parameters?.['binary_data_size'];
    if (size === undefined) continue;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw invalid(input.name, `binary_data_size must be a non-negative integer, got ${JSON.stringify(size)}`);
    }
    if (input.data !== undefined) throw invalid(input.name, 'has both data and binary_data_size');
    if (at + size > binary.length) throw invalid(input.name, `binary_data_size ${size} runs past the body's ${binary.length - at} remaining bytes`);
    const elements = rawBytesInputs.includes(input.name) ? 'base64' : 'utf8';
    out.set(input.name, tensorFromBinary(input.name, input.datatype, input.shape, binary.subarray(at, at + size), elements));
    at += size;
  }
  if (at !== binary.length) throw new ApiError('IM_BAD_REQUEST', `${binary.length - at} bytes after the inputs' binary data`);
  return out;
}
