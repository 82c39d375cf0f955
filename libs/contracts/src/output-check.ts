import { shapeFits, type TensorMap, type TensorSpec } from './tensor.js';

export interface OutputContract {
  /** The tensors the stage declares it answers with. */
  declared: readonly TensorSpec[];
  /** The outputs the request asked for; empty means every declared one. */
  requested: readonly string[];
  /** The request's rows: an output whose declared first dimension is -1 must have exactly these. Undefined: not checked. */
  rows: number | undefined;
}

/**
 * Why a worker's outputs for one item break the stage's declared outputs, or undefined when they
 * keep it: every asked-for output present, none other, each with its declared datatype and a shape
 * that fits the declared one, its batch dimension the request's rows. Data length against shape and
 * element type against datatype are already checked where the answer is decoded (`TensorSchema`).
 * Runs on every answer before it reaches a client or the cache, so it allocates nothing on success.
 */
export function outputContractViolation(outputs: TensorMap, contract: OutputContract): string | undefined {
  const { declared, requested, rows } = contract;
  let expected = 0;
  for (const spec of declared) {
    if (requested.length > 0 && !requested.includes(spec.name)) continue;
    expected++;
    const tensor = outputs[spec.name];
    if (tensor === undefined) return `output '${spec.name}' is missing`;
    if (tensor.datatype !== spec.datatype) return `output '${spec.name}' is ${tensor.datatype}, declared ${spec.datatype}`;
    if (!shapeFits(tensor.shape, spec.shape)) {
      return `output '${spec.name}' has shape [${tensor.shape.join(', ')}], declared [${spec.shape.join(', ')}]`;
    }
    if (rows !== undefined && spec.shape[0] === -1 && tensor.shape[0] !== rows) {
      return `output '${spec.name}' has ${tensor.shape[0]} rows for a request of ${rows}`;
    }
  }
  let given = 0;
  for (const name in outputs) if (Object.hasOwn(outputs, name)) given++;
  if (given !== expected) {
    const extra = Object.keys(outputs).filter((n) => !declared.some((s) => s.name === n) || (requested.length > 0 && !requested.includes(n)));
    return `outputs not asked for: ${extra.map((n) => `'${n}'`).join(', ')}`;
  }
  return undefined;
}
