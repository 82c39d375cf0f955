import { pathToFileURL } from 'node:url';
import type { ModelSpec, TensorMap } from '@infermesh/contracts';
import { abortable } from './abortable.js';
import { checkInputs } from './check-inputs.js';
import { ClosedError, LoadFailedError, PlatformMismatchError, RunFailedError } from './errors.js';
import type { LoadedModel, ModelRuntime, RunOptions, RuntimeTensorInfo } from './model-runtime.js';

/** What a JS model module exports. `close` is optional. */
export interface JsModelModule {
  run(inputs: TensorMap): TensorMap | Promise<TensorMap>;
  close?(): void | Promise<void>;
}

const RUNTIME = 'js';

/**
 * Loads a model written as a JavaScript module (`export function run(inputs) { … }`). Its inputs
 * and outputs are the spec's, since a module carries no metadata of its own.
 */
export class JsRuntime implements ModelRuntime {
  readonly platform = RUNTIME;

  async load({ spec, file }: { spec: ModelSpec; file: string }): Promise<LoadedModel> {
    if (spec.platform !== RUNTIME) throw new PlatformMismatchError(spec.name, spec.platform, RUNTIME);
    let mod: unknown;
    try {
      mod = await import(/* @vite-ignore */ pathToFileURL(file).href);
    } catch (cause) {
      throw new LoadFailedError(file, 'the module could not be imported', { cause });
    }
    if (!isModelModule(mod)) throw new LoadFailedError(file, 'the module does not export a run(inputs) function');
    return new JsLoadedModel(spec, mod);
  }
}

function isModelModule(mod: unknown): mod is JsModelModule {
  if (typeof mod !== 'object' || mod === null) return false;
  const m = mod as Record<string, unknown>;
  return typeof m.run === 'function' && (m.close === undefined || typeof m.close === 'function');
}

class JsLoadedModel implements LoadedModel {
  readonly inputs: readonly RuntimeTensorInfo[];
  readonly outputs: readonly RuntimeTensorInfo[];
  readonly #name: string;
  readonly #module: JsModelModule;
  #closed = false;

  constructor(spec: ModelSpec, mod: JsModelModule) {
    this.#name = spec.name;
    this.#module = mod;
    this.inputs = spec.inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape }));
    this.outputs = spec.outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape }));
  }

  run(inputs: TensorMap, options: RunOptions = {}): Promise<TensorMap> {
    if (this.#closed) return Promise.reject(new ClosedError(this.#name));
    try {
      checkInputs(this.#name, this.inputs, inputs);
    } catch (error) {
      return Promise.reject(error);
    }
    return abortable(this.#name, () => this.#run(inputs), options.signal);
  }

  async #run(inputs: TensorMap): Promise<TensorMap> {
    let out: unknown;
    try {
      out = await this.#module.run(inputs);
    } catch (cause) {
      throw new RunFailedError(this.#name, { cause });
    }
    if (typeof out !== 'object' || out === null) {
      throw new RunFailedError(this.#name, { cause: new TypeError('run() did not return a tensor map') });
    }
    return out as TensorMap;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#module.close?.();
  }
}
