import { elementCount, shapeFits, type TensorMap } from '@infermesh/contracts';
import { BadInputError, DatatypeMismatchError, ShapeMismatchError } from './errors.js';
import type { RuntimeTensorInfo } from './model-runtime.js';

/**
 * Checks a batch against what the model declares, once per run (not per item): names, datatypes,
 * shapes, and that each tensor holds as many elements as its shape says.
 */
export function checkInputs(model: string, declared: readonly RuntimeTensorInfo[], inputs: TensorMap): void {
  for (const info of declared) {
    const t = inputs[info.name];
    if (!t) throw new BadInputError(`model "${model}": missing input "${info.name}"`);
    if (t.datatype !== info.datatype) {
      throw new DatatypeMismatchError(`model "${model}": input "${info.name}" is ${t.datatype}, expected ${info.datatype}`);
    }
    if (!shapeFits(t.shape, info.shape)) {
      throw new ShapeMismatchError(
        `model "${model}": input "${info.name}" has shape [${t.shape.join(', ')}], expected [${info.shape.join(', ')}]`,
      );
    }
    if (t.data.length !== elementCount(t.shape)) {
      throw new BadInputError(
        `model "${model}": input "${info.name}" holds ${t.data.length} elements, shape [${t.shape.join(', ')}] needs ${elementCount(t.shape)}`,
      );
    }
  }
  for (const name of Object.keys(inputs)) {
    if (!declared.some((d) => d.name === name)) throw new BadInputError(`model "${model}": unexpected input "${name}"`);
  }
}
