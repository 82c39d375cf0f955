import type { Datatype, ModelSpec, TensorMap } from '@infermesh/contracts';

/** A tensor as the loaded model itself declares it; -1 marks a dimension of any size. */
export interface RuntimeTensorInfo {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
}

export interface RunOptions {
  /** Aborting rejects the pending `run` with an `AbortedError`. */
  signal?: AbortSignal;
}

/** A model ready to run. `run` takes and returns whole batches: dimension 0 is the batch. */
export interface LoadedModel {
  readonly inputs: readonly RuntimeTensorInfo[];
  readonly outputs: readonly RuntimeTensorInfo[];
  run(inputs: TensorMap, options?: RunOptions): Promise<TensorMap>;
  close(): Promise<void>;
}

/** Something that turns a model file into a `LoadedModel`: one per model format. */
export interface ModelRuntime {
  /** The `platform` of the model specs it loads. */
  readonly platform: string;
  load(model: { spec: ModelSpec; file: string }): Promise<LoadedModel>;
}
