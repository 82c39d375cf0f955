import { z } from 'zod/v4';
import type { TensorMap, TensorSpec } from '@infermesh/contracts';

/** Where a step runs: the model version folder, the only place it may read files from. */
export interface StepContext {
  /** The model version folder (for files such as `vocab.json`). Steps never read outside it. */
  readonly dir: string;
}

/**
 * A step made ready to run: it declares what it reads and writes so a pipeline can be checked before
 * any request arrives, and so it can later run in a separate processor process.
 */
export interface StepInstance {
  /** The tensors the step reads; `-1` is a dimension of any size (always the batch dimension first). */
  readonly inputs: readonly TensorSpec[];
  /** The tensors the step adds (or replaces, when a name is reused). */
  readonly outputs: readonly TensorSpec[];
  /** True when `run` answers a promise: a pipeline holding it runs only with `runAsync`. */
  readonly async?: boolean;
  /**
   * Runs on a whole batch (each tensor's first dimension is the rows). Pure: returns a new map with
   * every tensor of `inputs` passed through plus the step's outputs; never mutates `inputs`. A step
   * that waits on I/O or a thread pool (an image decoder) answers a promise.
   */
  run(inputs: TensorMap): TensorMap | Promise<TensorMap>;
}

/** A step that answers at once: a pipeline of these alone can run synchronously (`Pipeline.run`). */
export interface SyncStepInstance extends StepInstance {
  run(inputs: TensorMap): TensorMap;
}

/**
 * A named, versioned step as a catalog holds it. `create` gets the parsed options and the tensors
 * available before the step (`upstream`), so it can declare concrete shapes (the `V` of a vocabulary,
 * the `C` a label list must match) and refuse a misfit at build time.
 */
export interface StepDefinition<O = unknown, I extends StepInstance = StepInstance> {
  /** Lower-case letters, digits and `-`, starting with a letter. */
  readonly name: string;
  /** Dotted numbers (`1.0.0`); a reference may pin it with `name@1` or `name@1.0.0`. */
  readonly version: string;
  readonly optionsSchema: z.ZodType<O>;
  create(options: O, context: StepContext, upstream: readonly TensorSpec[]): Promise<I>;
}

/** The name of a tensor, as step options give it. */
export const TensorNameSchema = z.string().min(1).max(128);
