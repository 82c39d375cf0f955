import { bytesPerElement } from './datatype.js';
import { ApiError } from './errors.js';
import type { InferRequestJson } from './inference-protocol.js';
import type { ModelSpec } from './model-spec.js';
import { tensorFromBinary } from './binary-tensor.js';
import type { Tensor } from './tensor.js';

const invalid = (message: string): ApiError => new ApiError('IM_INVALID_INPUT', `raw binary request (Inference-Header-Content-Length: 0): ${message}`);

/**
 * The binary tensor data extension's raw binary request: `Inference-Header-Content-Length: 0` and a body
 * that is only the bytes of the model's one input, its shape deduced from their size. As Triton: the model
 * must have one input; a batching model takes it as a request of one row; a numeric input may have at
 * most one dimension of any size (-1) besides the batch one; a BYTES input must be of shape [1], its one
 * element the whole body (no length prefix). Every output is answered as binary data. Returns the request
 * it stands for and the decoded input; each misfit is IM_INVALID_INPUT.
 */
export function rawBinaryRequest(spec: ModelSpec, body: Uint8Array): { request: InferRequestJson; binary: Map<string, Tensor> } {
  if (spec.inputs.length !== 1) {
    throw invalid(`model '${spec.name}' has ${spec.inputs.length} inputs; it needs a model of exactly one`);
  }
  const input = spec.inputs[0]!;
  const declared = spec.batchable ? [1, ...input.shape.slice(1)] : [...input.shape];
  let shape: number[];
  let bytes = body;
  if (input.datatype === 'BYTES') {
    if (declared.length !== 1 || (declared[0] !== 1 && declared[0] !== -1)) {
      throw invalid(`a BYTES input must have shape [1]; '${input.name}' is [${input.shape.join(', ')}]`);
    }
    shape = [1];
    bytes = new Uint8Array(4 + body.length);
    new DataView(bytes.buffer).setUint32(0, body.length, true);
    bytes.set(body, 4);
  } else {
    const per = bytesPerElement(input.datatype);
    if (body.length % per !== 0) throw invalid(`${body.length} bytes is not a whole number of ${input.datatype} elements (${per} bytes each)`);
    const elements = body.length / per;
    const free = declared.filter((d) => d === -1).length;
    if (free > 1) throw invalid(`input '${input.name}' [${input.shape.join(', ')}] has more than one dimension of any size`);
    const known = declared.reduce((n, d) => (d === -1 ? n : n * d), 1);
    if (free === 0 ? elements !== known : known === 0 || elements % known !== 0) {
      throw invalid(`${elements} ${input.datatype} elements do not fill input '${input.name}' [${declared.join(', ')}]`);
    }
    shape = declared.map((d) => (d === -1 ? elements / known : d));
  }
  const tensor = tensorFromBinary(input.name, input.datatype, shape, bytes, spec.rawBytesInputs.includes(input.name) ? 'base64' : 'utf8');
  return {
    request: {
      inputs: [{ name: input.name, datatype: input.datatype, shape, parameters: { binary_data_size: body.length } }],
      parameters: { binary_data_output: true },
    },
    binary: new Map([[input.name, tensor]]),
  };
}
