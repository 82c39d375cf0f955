import { specFits, type TensorMap, type TensorSpec } from '@infermesh/contracts';
import type { StepCatalog } from './catalog.js';
import { InvalidOptionsError, PipelineMismatchError, ProcessingError, StepFailedError } from './errors.js';
import { findSpec, formatSpec, formatSpecs, mergeSpecs } from './spec-check.js';
import type { StepContext, StepInstance } from './step.js';
import { z } from 'zod/v4';

/** A step reference as a model's registry entry holds it (`StepRef` from the contracts fits). */
export interface PipelineStepRef {
  readonly step: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** One built step of a pipeline, for metadata and for running it elsewhere. */
export interface PipelineStep {
  /** `name@version` of the step that was resolved. */
  readonly step: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

export interface Pipeline {
  /** The tensors present before the first step, as given to `buildPipeline`. */
  readonly inputs: readonly TensorSpec[];
  /** The tensors present after the last step: every input passed through plus every step output. */
  readonly outputs: readonly TensorSpec[];
  readonly steps: readonly PipelineStep[];
  /** Whether a step answers a promise (an image decoder): then only `runAsync` runs the pipeline. */
  readonly async: boolean;
  /** Runs every step on a whole batch; throws a `ProcessingError` (`IM_PROCESSING_BAD_INPUT`, …), and a `StepFailedError` if a step is asynchronous. */
  run(inputs: TensorMap): TensorMap;
  /** Runs every step on a whole batch, awaiting the asynchronous ones; rejects as `run` throws. */
  runAsync(inputs: TensorMap): Promise<TensorMap>;
}

function failure(step: string, cause: unknown): ProcessingError {
  if (cause instanceof ProcessingError) return cause;
  return new StepFailedError(step, cause instanceof Error ? cause.message : String(cause), { cause });
}

/** A custom step that forgets an output would otherwise fail far away, in the model runtime. */
function checked(step: string, instance: StepInstance, out: TensorMap): TensorMap {
  for (const spec of instance.outputs) {
    if (out[spec.name]?.datatype !== spec.datatype) {
      throw new StepFailedError(step, `did not produce its output ${formatSpec(spec)}`);
    }
  }
  return out;
}

class BuiltPipeline implements Pipeline {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly steps: readonly PipelineStep[];
  readonly #instances: readonly StepInstance[];
  readonly #async: boolean;

  constructor(inputs: readonly TensorSpec[], outputs: readonly TensorSpec[], steps: PipelineStep[], instances: StepInstance[]) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.steps = steps;
    this.#instances = instances;
    this.#async = instances.some((i) => i.async === true);
  }

  get async(): boolean {
    return this.#async;
  }

  run(inputs: TensorMap): TensorMap {
    let current = inputs;
    this.#instances.forEach((instance, i) => {
      const step = (this.steps[i] as PipelineStep).step;
      let out: TensorMap | Promise<TensorMap>;
      try {
        out = instance.run(current);
      } catch (cause) {
        throw failure(step, cause);
      }
      if (out instanceof Promise) {
        out.catch(() => undefined);
        throw new StepFailedError(step, 'is asynchronous: run this pipeline with runAsync');
      }
      current = checked(step, instance, out);
    });
    return current;
  }

  async runAsync(inputs: TensorMap): Promise<TensorMap> {
    let current = inputs;
    for (const [i, instance] of this.#instances.entries()) {
      const step = (this.steps[i] as PipelineStep).step;
      let out: TensorMap;
      try {
        out = await instance.run(current);
      } catch (cause) {
        throw failure(step, cause);
      }
      current = checked(step, instance, out);
    }
    return current;
  }
}

/**
 * Resolves each reference in `catalog`, parses its options, creates it in `context`, and checks that
 * every input it declares is present, with its datatype and a compatible shape, among the tensors
 * available at that point (`available` before the first step, plus each earlier step's outputs). A
 * pipeline that cannot run is refused here, when a model loads, not on its first request.
 */
export async function buildPipeline(
  refs: readonly PipelineStepRef[],
  catalog: StepCatalog,
  context: StepContext,
  available: readonly TensorSpec[],
): Promise<Pipeline> {
  let current: TensorSpec[] = [...available];
  const steps: PipelineStep[] = [];
  const instances: StepInstance[] = [];
  for (const [i, ref] of refs.entries()) {
    const definition = catalog.get(ref.step);
    const step = `${definition.name}@${definition.version}`;
    const label = `step ${i + 1} '${step}'`;
    const parsed = definition.optionsSchema.safeParse(ref.options ?? {});
    if (!parsed.success) {
      throw new InvalidOptionsError(step, z.prettifyError(parsed.error).replaceAll('\n', '; '), { cause: parsed.error });
    }
    let instance: StepInstance;
    try {
      instance = await definition.create(parsed.data, context, current);
    } catch (cause) {
      throw failure(step, cause);
    }
    for (const expected of instance.inputs) {
      const actual = findSpec(current, expected.name);
      if (actual !== undefined && specFits(actual, expected)) continue;
      const details = { step, tensor: expected.name, expected, actual, available: current };
      const problem = actual === undefined
        ? `input ${formatSpec(expected)} is not available`
        : `input ${formatSpec(expected)} does not fit ${formatSpec(actual)}`;
      throw new PipelineMismatchError(`${label}: ${problem}; available: ${formatSpecs(current)}`, details);
    }
    steps.push({ step, inputs: instance.inputs, outputs: instance.outputs });
    instances.push(instance);
    current = mergeSpecs(current, instance.outputs);
  }
  return new BuiltPipeline([...available], current, steps, instances);
}
