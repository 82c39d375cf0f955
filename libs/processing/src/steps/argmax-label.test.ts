import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '@infermesh/contracts';
import { BadInputError, PipelineMismatchError } from '../errors.js';
import { ArgmaxLabelOptionsSchema, argmaxLabelStep, argmaxLabels, type ArgmaxLabelOptions } from './argmax-label.js';

const create = (options: ArgmaxLabelOptions, upstream: TensorSpec[]) =>
  argmaxLabelStep.create(ArgmaxLabelOptionsSchema.parse(options), { dir: '.' }, upstream);
const options = { input: 'p', output: 'label', labels: ['negative', 'neutral', 'positive'] };

describe('argmax-label step', () => {
  it('maps each row to the label of its largest score', async () => {
    const step = await create(options, [{ name: 'p', datatype: 'FP32', shape: [-1, 3] }]);
    expect(step.outputs).toEqual([{ name: 'label', datatype: 'BYTES', shape: [-1] }]);
    const out = step.run({ p: { datatype: 'FP32', shape: [3, 3], data: new Float32Array([
      0.7, 0.2, 0.1,
      0.1, 0.1, 0.8,
      -1, 3, 2,
    ]) } });
    expect(out['label']).toEqual({ datatype: 'BYTES', shape: [3], data: ['negative', 'positive', 'neutral'] });
  });

  it('takes the first on a tie and skips NaN', () => {
    expect(argmaxLabels(new Float32Array([1, 1, Number.NaN, 0]), 2, ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('refuses a column count other than the label count at build time when known', async () => {
    const error = await create(options, [{ name: 'p', datatype: 'FP32', shape: [-1, 4] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineMismatchError);
    expect((error as Error).message).toMatch(/has 4 columns but 3 labels/);
  });

  it('refuses it at run time when the column count was unknown', async () => {
    const step = await create(options, [{ name: 'p', datatype: 'FP32', shape: [-1, -1] }]);
    expect(() => step.run({ p: { datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) } }))
      .toThrow(BadInputError);
  });
});
