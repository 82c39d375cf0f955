import { ApiError } from './errors.js';
import type { InferRequestJson } from './inference-protocol.js';
import type { ModelSpec } from './model-spec.js';
import { elementCount, shapeFits, type Tensor, type TensorMap } from './tensor.js';
import { tensorFromJson } from './tensor-json.js';

export interface DecodedRequest {
  inputs: TensorMap;
  /** Requested output names; empty means all. */
  outputs: string[];
  /** Rows in the batch dimension (1 for a model that is not batchable). */
  rows: number;
}

export interface DecodeLimits {
  /** Most tensor elements one request may carry, over all its inputs. */
  maxElements: number;
}

function invalid(message: string): ApiError {
  return new ApiError('IM_INVALID_INPUT', message);
}

/**
 * Checks a protocol request against a model's declared inputs and outputs, before any work is
 * done, and decodes it into typed tensors. Every mismatch is refused with IM_INVALID_INPUT and a
 * message that names the input and what was expected.
 */
export function decodeInferRequest(
  spec: ModelSpec, request: InferRequestJson, limits: DecodeLimits, binary?: ReadonlyMap<string, Tensor>,
): DecodedRequest {
  const byName = new Map(request.inputs.map((i) => [i.name, i]));
  if (byName.size !== request.inputs.length) throw invalid('an input name appears more than once');
  for (const name of byName.keys()) {
    if (!spec.inputs.some((s) => s.name === name)) {
      throw invalid(`model '${spec.name}' has no input '${name}' (inputs: ${spec.inputs.map((s) => s.name).join(', ')})`);
    }
  }
  let elements = 0;
  let rows: number | undefined;
  const inputs: TensorMap = {};
  for (const s of spec.inputs) {
    const input = byName.get(s.name);
    if (!input) throw invalid(`missing input '${s.name}'`);
    if (input.datatype !== s.datatype) {
      throw invalid(`input '${s.name}' must be ${s.datatype}, got ${input.datatype}`);
    }
    if (!shapeFits(input.shape, s.shape)) {
      throw invalid(`input '${s.name}' has shape [${input.shape.join(', ')}], model expects [${s.shape.join(', ')}] (-1: any size)`);
    }
    elements += elementCount(input.shape);
    if (elements > limits.maxElements) throw invalid(`request has more than ${limits.maxElements} tensor elements`);
    if (spec.batchable) {
      const r = input.shape[0] ?? 1;
      if (r < 1) throw invalid(`input '${s.name}' has an empty batch dimension`);
      if (r > spec.batching.maxBatchSize) {
        throw invalid(`input '${s.name}' has ${r} rows, model '${spec.name}' takes at most ${spec.batching.maxBatchSize}`);
      }
      if (rows !== undefined && r !== rows) throw invalid(`inputs disagree on the batch dimension (${rows} vs ${r})`);
      rows = r;
    }
    // An input sent as binary tensor data was decoded to its typed array already (binaryInputs).
    inputs[s.name] = binary?.get(s.name) ?? tensorFromJson(input);
  }
  const outputs = (request.outputs ?? []).map((o) => o.name);
  for (const name of outputs) {
    if (!spec.outputs.some((s) => s.name === name)) throw invalid(`model '${spec.name}' has no output '${name}'`);
  }
  return { inputs, outputs, rows: rows ?? 1 };
}
