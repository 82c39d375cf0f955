import * as ort from 'onnxruntime-node';
import { z } from 'zod/v4';
import type { ModelSpec, Tensor, TensorMap } from '@infermesh/contracts';
import { abortable } from './abortable.js';
import { checkInputs } from './check-inputs.js';
import {
  ClosedError, LoadFailedError, PlatformMismatchError, RunFailedError, UnsupportedDatatypeError,
} from './errors.js';
import type { LoadedModel, ModelRuntime, RunOptions, RuntimeTensorInfo } from './model-runtime.js';
import { datatypeOfOrt, isOnnxDatatype, ORT_TYPE_OF } from './onnx-datatype.js';

export const OnnxRuntimeOptionsSchema = z.strictObject({
  /** Threads one operator may use. One keeps a worker process to one core; run more processes to scale. */
  intraOpNumThreads: z.int().min(1).max(256).default(1),
  /** Threads running independent operators in parallel. */
  interOpNumThreads: z.int().min(1).max(256).default(1),
  /** ONNX Runtime graph optimisations applied at load. */
  graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
});
export type OnnxRuntimeOptions = z.input<typeof OnnxRuntimeOptionsSchema>;
type ParsedOptions = z.infer<typeof OnnxRuntimeOptionsSchema>;

const RUNTIME = 'onnx';

/** Loads `.onnx` files into ONNX Runtime for Node (CPU execution provider). */
export class OnnxRuntime implements ModelRuntime {
  readonly platform = RUNTIME;
  readonly #options: ParsedOptions;

  constructor(options: OnnxRuntimeOptions = {}) {
    this.#options = OnnxRuntimeOptionsSchema.parse(options);
  }

  async load({ spec, file }: { spec: ModelSpec; file: string }): Promise<LoadedModel> {
    if (spec.platform !== RUNTIME) throw new PlatformMismatchError(spec.name, spec.platform, RUNTIME);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(file, {
        executionProviders: ['cpu'],
        intraOpNumThreads: this.#options.intraOpNumThreads,
        interOpNumThreads: this.#options.interOpNumThreads,
        graphOptimizationLevel: this.#options.graphOptimizationLevel,
      });
    } catch (cause) {
      throw new LoadFailedError(file, 'ONNX Runtime refused the model', { cause });
    }
    try {
      const inputs = session.inputMetadata.map((m) => tensorInfo(m));
      const outputs = session.outputMetadata.map((m) => tensorInfo(m));
      return new OnnxLoadedModel(spec.name, session, inputs, outputs);
    } catch (error) {
      await session.release();
      throw error;
    }
  }
}

function tensorInfo(meta: ort.InferenceSession.ValueMetadata): RuntimeTensorInfo {
  if (!meta.isTensor) throw new UnsupportedDatatypeError(meta.name, 'non-tensor', RUNTIME);
  const datatype = datatypeOfOrt(meta.type);
  if (!datatype) throw new UnsupportedDatatypeError(meta.name, ortTypeName(meta.type), RUNTIME);
  // Symbolic dimensions ('N', 'batch') and unknown ones become -1, as in a TensorSpec.
  return { name: meta.name, datatype, shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
}

function ortTypeName(type: string): string {
  return type === 'float16' ? 'FP16' : type === 'string' ? 'BYTES' : type;
}

class OnnxLoadedModel implements LoadedModel {
  readonly inputs: readonly RuntimeTensorInfo[];
  readonly outputs: readonly RuntimeTensorInfo[];
  readonly #name: string;
  readonly #session: ort.InferenceSession;
  #closed = false;

  constructor(name: string, session: ort.InferenceSession, inputs: RuntimeTensorInfo[], outputs: RuntimeTensorInfo[]) {
    this.#name = name;
    this.#session = session;
    this.inputs = inputs;
    this.outputs = outputs;
  }

  run(inputs: TensorMap, options: RunOptions = {}): Promise<TensorMap> {
    if (this.#closed) return Promise.reject(new ClosedError(this.#name));
    const feeds: Record<string, ort.Tensor> = {};
    try {
      // Refused before the shape checks, so the caller learns the datatype itself is the problem.
      for (const [name, t] of Object.entries(inputs)) {
        if (!isOnnxDatatype(t.datatype)) throw new UnsupportedDatatypeError(name, t.datatype, RUNTIME);
      }
      checkInputs(this.#name, this.inputs, inputs);
      for (const [name, t] of Object.entries(inputs)) feeds[name] = toOrt(name, t);
    } catch (error) {
      return Promise.reject(error);
    }
    return abortable(this.#name, () => this.#run(feeds), options.signal);
  }

  async #run(feeds: Record<string, ort.Tensor>): Promise<TensorMap> {
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await this.#session.run(feeds);
    } catch (cause) {
      throw new RunFailedError(this.#name, { cause });
    }
    const out: TensorMap = {};
    for (const [name, value] of Object.entries(results)) out[name] = fromOrt(name, value);
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#session.release();
  }
}

function toOrt(name: string, t: Tensor): ort.Tensor {
  if (!isOnnxDatatype(t.datatype) || Array.isArray(t.data)) throw new UnsupportedDatatypeError(name, t.datatype, RUNTIME);
  // The constructor overloads are keyed on the type literal; the table and the contract's
  // TYPED_ARRAY_OF agree on the array class for each datatype.
  return new ort.Tensor(ORT_TYPE_OF[t.datatype], t.data as Float32Array, t.shape);
}

function fromOrt(name: string, value: ort.Tensor): Tensor {
  const datatype = datatypeOfOrt(value.type);
  if (!datatype) throw new UnsupportedDatatypeError(name, ortTypeName(value.type), RUNTIME);
  return { datatype, shape: Array.from(value.dims), data: value.data as Tensor['data'] };
}
