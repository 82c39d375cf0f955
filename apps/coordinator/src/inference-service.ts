import {
  ContractError, decodeInferRequest, tensorToJson, type InferRequestJson, type InferResponseJson, type ModelMetadata,
  type ModelSpec,
} from '@infermesh/contracts';
import type { ModelRegistry } from '@infermesh/registry';
import { ApiError, toApiError } from './api-error.js';
import type { ModelBatching } from './model-batching.js';
import type { RequestTrace } from './request-telemetry.js';
import { responseCacheKey } from './response-cache-key.js';
import type { CachedAnswer, ResponseCache } from './response-cache.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * Where a model's requests go when no healthy worker serves it: `{ 'mlp:2': 'mlp:1', sentiment: 'default' }`.
 * Keys and targets are `name` or `name:version` (a bare name means its latest version).
 */
export type Fallbacks = Record<string, string>;

const MAX_FALLBACK_DEPTH = 4;

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
  /** The request's trace: stages are recorded in it, and the model it resolved to. */
  trace?: RequestTrace | undefined;
}

/**
 * The path of one request through the coordinator: resolve the model, check the request against
 * its spec before any work, send it to a worker, and answer in the protocol's JSON form.
 */
export class InferenceService {
  readonly #registry: ModelRegistry;
  readonly #pool: WorkerPool;
  readonly #batching: ModelBatching;
  readonly #cache: ResponseCache | undefined;
  readonly #limits: InferenceLimits;
  readonly #fallbacks: Fallbacks;
  #inFlight = 0;
  #sequence = 0;

  constructor(
    registry: ModelRegistry,
    pool: WorkerPool,
    batching: ModelBatching,
    cache: ResponseCache | undefined,
    limits: InferenceLimits,
    fallbacks: Fallbacks = {},
  ) {
    this.#fallbacks = fallbacks;
    this.#registry = registry;
    this.#pool = pool;
    this.#batching = batching;
    this.#cache = cache;
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

  /**
   * The model that will answer: the one asked for, or, when no healthy worker serves it, the first
   * configured fallback that has one (followed up to a few steps, never in a cycle).
   */
  #route(name: string, version: string | undefined): { spec: ModelSpec; fallbackFrom?: string } {
    const asked = this.resolve(name, version);
    let spec = asked;
    const seen = new Set<string>();
    while (!this.#pool.serves(spec.name, spec.version) && seen.size < MAX_FALLBACK_DEPTH) {
      const k = `${spec.name}:${spec.version}`;
      seen.add(k);
      const target = this.#fallbacks[k] ?? this.#fallbacks[spec.name];
      if (target === undefined) break;
      const [n = '', v] = target.split(':');
      const next = this.resolve(n, v);
      if (seen.has(`${next.name}:${next.version}`)) break;
      spec = next;
    }
    if (spec === asked || !this.#pool.serves(spec.name, spec.version)) return { spec: asked };
    return { spec, fallbackFrom: `${asked.name}:${asked.version}` };
  }

  async infer(name: string, version: string | undefined, request: InferRequestJson, options: InferOptions = {}): Promise<InferResponseJson> {
    const { spec, fallbackFrom } = this.#route(name, version);
    const trace = options.trace;
    trace?.resolved(spec.name, spec.version);
    let decoded;
    try {
      decoded = decodeInferRequest(spec, request, { maxElements: this.#limits.maxElements });
    } catch (error) {
      if (error instanceof ContractError) throw new ApiError(error.code, error.message, { cause: error });
      throw error;
    }
    if (trace) trace.admission(() => this.admit());
    else this.admit();
    this.#inFlight++;
    try {
      const id = request.id ?? `r${++this.#sequence}`;
      const item = { id, inputs: decoded.inputs, parameters: request.parameters ?? {}, outputs: decoded.outputs };
      const cacheable = this.#cache !== undefined && spec.deterministic && spec.cache.enabled;
      const sharded = spec.shards > 1;
      // One fingerprint serves the cache, the coalescing of identical requests in a batch, and routing.
      const fingerprint = cacheable || sharded || spec.batchable ? responseCacheKey(spec, item) : undefined;
      const routingKey = request.parameters?.routing_key;
      const shard = sharded ? this.#pool.shardOf(spec.name, spec.version, typeof routingKey === 'string' ? routingKey : fingerprint!) : undefined;
      const run = async (): Promise<CachedAnswer> => {
        trace?.cacheLookedUp(false);
        let served;
        try {
          served = await this.#batching.submit(spec, item, {
            rows: decoded.rows, shard, signal: options.signal, timeoutMs: options.timeoutMs, coalesceKey: fingerprint, trace,
          });
        } finally {
          trace?.settled();
        }
        if (!served.result.ok) throw toApiError({ code: served.result.error.code, message: served.result.error.message });
        return { outputs: served.result.outputs, workerId: served.workerId };
      };
      let answer: CachedAnswer;
      let cacheState: 'hit' | 'miss' | undefined;
      if (cacheable) {
        trace?.cacheLookup();
        const through = await this.#cache!.through(fingerprint!, spec.cache.ttlMs, run, options.signal);
        answer = through.answer;
        cacheState = through.hit ? 'hit' : 'miss';
        trace?.cacheLookedUp(through.hit);
      } else {
        answer = await run();
      }
      return {
        model_name: spec.name,
        model_version: spec.version,
        ...(request.id !== undefined ? { id: request.id } : {}),
        parameters: {
          infermesh_worker: answer.workerId,
          ...(shard !== undefined ? { infermesh_shard: shard } : {}),
          ...(cacheState ? { infermesh_cache: cacheState } : {}),
          ...(fallbackFrom ? { infermesh_fallback_from: fallbackFrom } : {}),
        },
        outputs: Object.entries(answer.outputs).map(([n, t]) => tensorToJson(n, t)),
      };
    } catch (error) {
      throw toApiError(error);
    } finally {
      this.#inFlight--;
    }
  }
}
