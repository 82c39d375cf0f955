import {
  ContractError, decodeInferRequest, tensorToJson, type InferRequestJson, type InferResponseJson, type ModelMetadata,
  type ModelSpec,
} from '@infermesh/contracts';
import type { ModelRegistry } from '@infermesh/registry';
import { ApiError, toApiError } from './api-error.js';
import type { ModelBatching } from './model-batching.js';
import type { WorkerPool } from './worker-pool.js';

export interface InferenceLimits {
  /** Most tensor elements in one request. */
  maxElements: number;
  /** Requests being served at once, over HTTP and WebSocket; beyond it IM_OVERLOADED (429). */
  maxInFlight: number;
  /** Longest a request may take end to end, unless the client asks for less. */
  timeoutMs: number;
}

export interface InferOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * The path of one request through the coordinator: resolve the model, check the request against
 * its spec before any work, send it to a worker, and answer in the protocol's JSON form.
 */
export class InferenceService {
  readonly #registry: ModelRegistry;
  readonly #pool: WorkerPool;
  readonly #batching: ModelBatching;
  readonly #limits: InferenceLimits;
  #inFlight = 0;
  #sequence = 0;

  constructor(registry: ModelRegistry, pool: WorkerPool, batching: ModelBatching, limits: InferenceLimits) {
    this.#registry = registry;
    this.#pool = pool;
    this.#batching = batching;
    this.#limits = limits;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  resolve(name: string, version?: string): ModelSpec {
    try {
      return this.#registry.get(name, version);
    } catch (error) {
      throw toApiError(error);
    }
  }

  metadata(name: string, version?: string): ModelMetadata {
    const spec = this.resolve(name, version);
    return {
      name: spec.name,
      versions: version ? [spec.version] : this.#registry.versions(name),
      platform: spec.platform === 'onnx' ? 'onnxruntime_onnx' : 'infermesh_js',
      inputs: spec.inputs,
      outputs: spec.outputs,
      parameters: { batchable: spec.batchable, max_batch_size: spec.batching.maxBatchSize, quantized: spec.quantized, ...spec.labels },
    };
  }

  ready(name: string, version?: string): boolean {
    const spec = this.resolve(name, version);
    return this.#pool.serves(spec.name, spec.version);
  }

  /** Refuses at once when the coordinator is at capacity, so overload never becomes unbounded memory. */
  admit(): void {
    if (this.#inFlight >= this.#limits.maxInFlight) {
      throw new ApiError('IM_OVERLOADED', `the coordinator is serving ${this.#inFlight} requests, its limit`, { retryAfterSeconds: 1 });
    }
  }

  async infer(name: string, version: string | undefined, request: InferRequestJson, options: InferOptions = {}): Promise<InferResponseJson> {
    const spec = this.resolve(name, version);
    let decoded;
    try {
      decoded = decodeInferRequest(spec, request, { maxElements: this.#limits.maxElements });
    } catch (error) {
      if (error instanceof ContractError) throw new ApiError(error.code, error.message, { cause: error });
      throw error;
    }
    this.admit();
    this.#inFlight++;
    try {
      const id = request.id ?? `r${++this.#sequence}`;
      const result = await this.#batching.submit(
        spec,
        { id, inputs: decoded.inputs, parameters: request.parameters ?? {}, outputs: decoded.outputs },
        { rows: decoded.rows, signal: options.signal, timeoutMs: options.timeoutMs },
      );
      if (!result.ok) throw toApiError({ code: result.error.code, message: result.error.message });
      return {
        model_name: spec.name,
        model_version: spec.version,
        ...(request.id !== undefined ? { id: request.id } : {}),
        outputs: Object.entries(result.outputs).map(([n, t]) => tensorToJson(n, t)),
      };
    } catch (error) {
      throw toApiError(error);
    } finally {
      this.#inFlight--;
    }
  }
}
