import {
  TYPED_ARRAY_OF, elementCount, shapeFits, type Datatype, type TensorDataMap, type TensorMap, type TensorSpec,
} from '@infermesh/contracts';
import { BadInputError } from './errors.js';

/** `'name' FP32 [-1, 3]`, for error messages. */
export function formatSpec(spec: TensorSpec): string {
  return `'${spec.name}' ${spec.datatype} [${spec.shape.join(', ')}]`;
}

export function formatSpecs(specs: readonly TensorSpec[]): string {
  return specs.length === 0 ? '(nothing)' : specs.map(formatSpec).join(', ');
}

export function findSpec(specs: readonly TensorSpec[], name: string): TensorSpec | undefined {
  return specs.find((s) => s.name === name);
}

/** `specs` with `added` appended, an added spec replacing an earlier one of the same name. */
export function mergeSpecs(specs: readonly TensorSpec[], added: readonly TensorSpec[]): TensorSpec[] {
  const names = new Set(added.map((s) => s.name));
  return [...specs.filter((s) => !names.has(s.name)), ...added];
}

/**
 * The upstream spec of `name` if it has the datatype and a rank the step takes, else `fallback`: the
 * pipeline then reports the fallback as missing or mismatched, in one wording for every step.
 */
export function upstreamShape(
  upstream: readonly TensorSpec[], name: string, datatype: Datatype, minRank: number, fallback: readonly number[],
): number[] {
  const have = findSpec(upstream, name);
  if (have && have.datatype === datatype && have.shape.length >= minRank) return [...have.shape];
  return [...fallback];
}

/**
 * Run time: the tensor `spec` names, checked once per batch (not per row): present, of the declared
 * datatype, its data held in the right array class, a concrete shape that fits the declared one, and
 * as many elements as the shape says.
 */
export function readInput<D extends Datatype>(
  step: string, inputs: TensorMap, spec: TensorSpec & { datatype: D },
): { shape: number[]; data: TensorDataMap[D] } {
  const tensor = inputs[spec.name];
  if (tensor === undefined) throw new BadInputError(step, spec.name, 'is missing');
  if (tensor.datatype !== spec.datatype) {
    throw new BadInputError(step, spec.name, `is ${tensor.datatype}, needs ${spec.datatype}`);
  }
  const { shape, data } = tensor;
  const datatype: Datatype = spec.datatype;
  const held = datatype === 'BYTES' ? Array.isArray(data) : data instanceof TYPED_ARRAY_OF[datatype];
  if (!held) throw new BadInputError(step, spec.name, `data is not held as ${spec.datatype} elements`);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !shapeFits(shape, spec.shape)) {
    throw new BadInputError(step, spec.name, `shape [${shape.join(', ')}] does not fit [${spec.shape.join(', ')}]`);
  }
  if (data.length !== elementCount(shape)) {
    throw new BadInputError(
      step, spec.name, `data has ${data.length} elements, shape [${shape.join(', ')}] needs ${elementCount(shape)}`,
    );
  }
  return { shape: [...shape], data: data as TensorDataMap[D] };
}
