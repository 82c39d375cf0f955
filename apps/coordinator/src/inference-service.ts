import {
  ContractError, decodeInferRequest, tensorToJson, type InferItem, type InferRequestJson, type InferResponseJson, type ModelMetadata,
  type ModelSpec,
} from '@infermesh/contracts';
import type { ModelRegistry } from '@infermesh/registry';
import { ApiError, toApiError } from './api-error.js';
import type { ModelBatching, Served, SubmitOptions } from './model-batching.js';
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

/** Where a model's pre- and post-processing run: on its model worker, or on processors. */
export const PLACEMENTS = ['colocated', 'disaggregated'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface PlacementPolicy {
  /** Every model's placement unless `models` names one. */
  default: Placement;
  /** By model name: `{ sentiment: 'disaggregated' }`. */
  models: Record<string, Placement>;
}

export interface InferenceRouting {
  fallbacks?: Fallbacks;
  placement?: PlacementPolicy;
}

/** A request's answer and who computed it: the model worker, and the processors when disaggregated. */
interface Computed extends Served {
  processors: string[];
}

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
  readonly #placement: PlacementPolicy;
  #inFlight = 0;
  #sequence = 0;

  constructor(
    registry: ModelRegistry,
    pool: WorkerPool,
    batching: ModelBatching,
    cache: ResponseCache | undefined,
    limits: InferenceLimits,
    routing: InferenceRouting = {},
  ) {
    this.#fallbacks = routing.fallbacks ?? {};
    this.#placement = routing.placement ?? { default: 'colocated', models: {} };
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
    return this.#servable(this.resolve(name, version));
  }

  /** Disaggregated only when asked for and the model has steps to move; a model without steps has nothing to place. */
  #placementOf(spec: ModelSpec): Placement {
    const asked = this.#placement.models[spec.name] ?? this.#placement.default;
    return asked === 'disaggregated' && spec.preprocess.length + spec.postprocess.length > 0 ? 'disaggregated' : 'colocated';
  }

  /** A healthy model worker serves the model, and, disaggregated, a healthy processor too. */
  #servable(spec: ModelSpec): boolean {
    if (!this.#pool.serves(spec.name, spec.version)) return false;
    return this.#placementOf(spec) === 'colocated' || this.#pool.serves(spec.name, spec.version, 'processor');
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
    while (!this.#servable(spec) && seen.size < MAX_FALLBACK_DEPTH) {
      const k = `${spec.name}:${spec.version}`;
      seen.add(k);
      const target = this.#fallbacks[k] ?? this.#fallbacks[spec.name];
      if (target === undefined) break;
      const [n = '', v] = target.split(':');
      const next = this.resolve(n, v);
      if (seen.has(`${next.name}:${next.version}`)) break;
      spec = next;
    }
    if (spec === asked || !this.#servable(spec)) return { spec: asked };
    return { spec, fallbackFrom: `${asked.name}:${asked.version}` };
  }

  /**
   * Runs one request. Co-located: one batch on a model worker does everything. Disaggregated:
   * pre-processing on a processor, the model stage on a model worker, post-processing on a processor,
   * each its own batch under one deadline; an item that fails a stage fails with that stage's error,
   * as it would co-located.
   */
  async #compute(spec: ModelSpec, item: InferItem, options: SubmitOptions): Promise<Computed> {
    if (this.#placementOf(spec) === 'colocated') {
      try {
        return { ...(await this.#batching.submit(spec, item, options)), processors: [] };
      } finally {
        options.trace?.settled();
      }
    }
    const deadline = Date.now() + Math.min(options.timeoutMs ?? this.#limits.timeoutMs, this.#limits.timeoutMs);
    const stage = async (name: 'preprocess' | 'model' | 'postprocess', inputs: InferItem['inputs'], outputs: string[]): Promise<Served> => {
      try {
        return await this.#batching.submit(spec, { ...item, inputs, outputs }, {
          ...options, stage: name, shard: name === 'model' ? options.shard : undefined, timeoutMs: Math.max(1, deadline - Date.now()),
        });
      } finally {
        options.trace?.settled();
      }
    };
    const answer = item.outputs.length > 0 ? item.outputs : spec.outputs.map((o) => o.name);
    const processors: string[] = [];
    let inputs = item.inputs;
    if (spec.preprocess.length > 0) {
      const pre = await stage('preprocess', inputs, []);
      processors.push(pre.workerId);
      if (!pre.result.ok) return { ...pre, processors };
      inputs = pre.result.outputs;
    }
    const model = await stage('model', inputs, spec.postprocess.length > 0 ? [] : answer);
    if (!model.result.ok || spec.postprocess.length === 0) return { ...model, processors };
    const post = await stage('postprocess', model.result.outputs, answer);
    processors.push(post.workerId);
    return { result: post.result, workerId: model.workerId, processors };
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
      let processors: string[] = [];
      const run = async (): Promise<CachedAnswer> => {
        trace?.cacheLookedUp(false);
        const served = await this.#compute(spec, item, {
          rows: decoded.rows, shard, signal: options.signal, timeoutMs: options.timeoutMs, coalesceKey: fingerprint, trace,
        });
        if (!served.result.ok) throw toApiError({ code: served.result.error.code, message: served.result.error.message });
        processors = served.processors;
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
          ...(processors.length > 0 ? { infermesh_processors: processors.join(',') } : {}),
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
