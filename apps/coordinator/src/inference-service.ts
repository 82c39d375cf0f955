import type { AbortLike } from '@infermesh/foundation';
import {
  ApiError, classificationRequests, classifyTensor, decodeInferRequest, modelVersionKey, tensorToJson, tritonModelConfig,
  type ClassificationRequest, type InferItem, type InferRequestJson, type InferResponseJson, type ModelMetadata, type ModelSpec,
  type ModelStatsResponse, type Tensor, type TensorMap, type TritonModelConfig,
} from '@infermesh/contracts';
import type { ModelRegistry } from '@infermesh/registry';
import { Admission } from './admission.js';
import { toApiError, toApiErrorOfItem } from './api-error.js';
import { PipelineRunner } from './pipeline.js';
import { runRoute } from './run-route.js';
import type { LaneTable, Route } from './lanes.js';
import type { ModelStatistics, RequestRecord } from './model-statistics.js';
import type { RequestTrace } from './request-telemetry.js';
import { responseCacheKey } from './response-cache-key.js';
import type { CachedAnswer, ResponseCache } from './response-cache.js';

export interface InferenceLimits {
  /** Most tensor elements in one request. */
  maxElements: number;
  /** Requests being served at once, over HTTP and WebSocket; beyond it IM_OVERLOADED (429). */
  maxInFlight: number;
}

export interface InferOptions {
  /** Absolute, on the monotonic clock (`performance.now()`): set once at the edge, it travels unchanged. */
  deadline: number;
  signal?: AbortLike | undefined;
  /** The request's trace: stages are recorded in it, and the model it resolved to. */
  trace?: RequestTrace | undefined;
  /** Inputs that arrived as binary tensor data, already typed (binaryInputs): decoded once, never through JSON. */
  binary?: ReadonlyMap<string, Tensor> | undefined;
}

/** A request's answer with typed outputs, before they are written as JSON or binary data. */
export type TensorAnswer = Omit<InferResponseJson, 'outputs'> & { outputs: TensorMap };

/**
 * The path of one request through the coordinator: resolve the model, check the request against its
 * spec before any work, admit it, look it up in the cache, run it through its route's lanes, and
 * answer in the protocol's JSON form.
 */
export class InferenceService {
  readonly #registry: ModelRegistry;
  readonly #lanes: LaneTable;
  readonly #cache: ResponseCache | undefined;
  readonly #limits: InferenceLimits;
  readonly #statistics: ModelStatistics;
  /** Requests in flight per model version (`name:version`, lookup only), from resolution to answer: what an unload waits for. */
  readonly #active = new Map<string, { count: number; idle: Array<() => void> }>();
  readonly #admission: Admission;
  readonly #pipeline: PipelineRunner;
  #sequence = 0;

  constructor(
    registry: ModelRegistry, lanes: LaneTable, cache: ResponseCache | undefined, limits: InferenceLimits, statistics: ModelStatistics,
  ) {
    this.#registry = registry;
    this.#lanes = lanes;
    this.#cache = cache;
    this.#limits = limits;
    this.#admission = new Admission({ maxInFlight: limits.maxInFlight, now: () => performance.now() });
    this.#statistics = statistics;
    this.#pipeline = new PipelineRunner(registry, lanes);
  }

  #enter(spec: ModelSpec): () => void {
    const key = modelVersionKey(spec);
    let a = this.#active.get(key);
    if (!a) this.#active.set(key, (a = { count: 0, idle: [] }));
    a.count++;
    const entry = a;
    return () => {
      if (--entry.count > 0) return;
      this.#active.delete(key);
      for (const resolve of entry.idle.splice(0)) resolve();
    };
  }

  /** Resolves once no request for the model version is in flight (at once when none is): an unload drains with it. */
  whenIdle(spec: ModelSpec): Promise<void> {
    const a = this.#active.get(modelVersionKey(spec));
    if (!a) return Promise.resolve();
    return new Promise((resolve) => a.idle.push(resolve));
  }

  /** Triton's model configuration of a model version, derived from its spec and the workers serving it now. */
  config(name: string, version?: string): TritonModelConfig {
    const spec = this.resolve(name, version);
    return tritonModelConfig(spec, { instances: this.#lanes.instances(spec) });
  }

  /**
   * Triton's statistics: every version of every model registered (no name), every version of one model,
   * or one version. An unknown model or version is IM_MODEL_NOT_FOUND / IM_VERSION_NOT_FOUND.
   */
  statistics(name?: string, version?: string): ModelStatsResponse {
    let specs: ModelSpec[];
    if (name === undefined) specs = this.#registry.list();
    else if (version !== undefined) specs = [this.resolve(name, version)];
    else {
      this.resolve(name);
      specs = this.#registry.versions(name).map((v) => this.resolve(name, v));
    }
    return { model_stats: this.#statistics.stats(specs) };
  }

  get inFlight(): number {
    return this.#admission.inFlight;
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
      platform: spec.platform === 'onnx' ? 'onnxruntime_onnx' : spec.platform === 'pipeline' ? 'ensemble' : 'infermesh_js',
      inputs: spec.inputs,
      outputs: spec.outputs,
      parameters: {
        batchable: spec.batchable, max_batch_size: spec.batching.maxBatchSize, quantized: spec.quantized, ...spec.labels,
        ...(spec.platform === 'pipeline' ? { pipeline: spec.pipeline.map((s) => s.model).join(',') } : {}),
      },
    };
  }

  ready(name: string, version?: string): boolean {
    const spec = this.resolve(name, version);
    return spec.platform === 'pipeline' ? this.#pipeline.servable(spec) : this.#lanes.servable(spec);
  }

  /**
   * Refuses at once (429) when the coordinator is at capacity, or when the wait it expects for a new
   * request is past the request's deadline (admission.ts), so overload never becomes unbounded memory
   * nor answers that come too late to use.
   */
  admit(deadline: number): void {
    this.#admission.admit(deadline);
  }

  /**
   * At capacity: the refusal `admit` would give any request now (429 IM_OVERLOADED), for an edge to answer
   * before it reads and decodes a body, so that under overload a refusal costs less than an answer.
   * Undefined while a slot is free.
   */
  refusalWhenFull(): ApiError | undefined {
    return this.#admission.full ? this.#admission.fullError() : undefined;
  }

  /** The protocol's JSON answer: the typed answer with each output written as JSON. */
  async infer(name: string, version: string | undefined, request: InferRequestJson, options: InferOptions): Promise<InferResponseJson> {
    const answer = await this.inferTensors(name, version, request, options);
    return { ...answer, outputs: Object.entries(answer.outputs).map(([n, t]) => tensorToJson(n, t)) };
  }

  /** The one path of a request: its answer with the outputs as typed tensors (binary data, or JSON via `infer`). */
  async inferTensors(name: string, version: string | undefined, request: InferRequestJson, options: InferOptions): Promise<TensorAnswer> {
    const asked = this.resolve(name, version);
    options.trace?.resolved(asked.name, asked.version);
    const started = performance.now();
    const leave = this.#enter(asked);
    // The version that answers (a fallback may), and what its statistics count.
    const outcome: { spec: ModelSpec; record: Omit<RequestRecord, 'durationMs'> } = { spec: asked, record: { ok: false, rows: 0 } };
    try {
      const answer = await this.#inferTensors(asked, request, options, outcome);
      outcome.record.ok = true;
      return answer;
    } finally {
      leave();
      this.#statistics.request(outcome.spec, { ...outcome.record, durationMs: performance.now() - started });
    }
  }

  async #inferTensors(
    asked: ModelSpec, request: InferRequestJson, options: InferOptions, outcome: { spec: ModelSpec; record: Omit<RequestRecord, 'durationMs'> },
  ): Promise<TensorAnswer> {
    const { trace, deadline, signal } = options;
    const limits = { maxElements: this.#limits.maxElements };
    let decoded = decodeInferRequest(asked, request, limits, options.binary);
    const parameters = request.parameters ?? {};
    const item = { id: request.id ?? `r${++this.#sequence}`, inputs: decoded.inputs, parameters, outputs: decoded.outputs };
    // A sharded model routes on the client's routing key, else on the request's fingerprint.
    const given = parameters['routing_key'];
    let fingerprint = asked.shards > 1 && typeof given !== 'string' ? responseCacheKey(asked, item) : undefined;
    const routingKey = asked.shards === 1 ? '' : typeof given === 'string' ? given : fingerprint!;
    // A pipeline has no lanes of its own: each of its stages resolves its own model's route.
    const route = asked.platform === 'pipeline' ? undefined : this.#lanes.resolve(asked, routingKey);
    const spec = route?.spec ?? asked;
    let leaveFallback: (() => void) | undefined;
    if (spec !== asked) {
      decoded = decodeInferRequest(spec, request, limits, options.binary);
      item.inputs = decoded.inputs;
      item.outputs = decoded.outputs;
      fingerprint = undefined;
      trace?.resolved(spec.name, spec.version);
      outcome.spec = spec;
      leaveFallback = this.#enter(spec);
    }
    outcome.record.rows = decoded.rows;
    // Checked before any work: a bad classification count or an output that cannot be ranked.
    const classify = classificationRequests(spec, request);
    try {
      return await this.#answer(spec, route, item, decoded.rows, fingerprint, request, options, classify, outcome);
    } finally {
      leaveFallback?.();
    }
  }

  async #answer(
    spec: ModelSpec, route: Route | undefined, item: InferItem, rows: number, fingerprint: string | undefined, request: InferRequestJson,
    options: InferOptions, classify: ClassificationRequest[], outcome: { record: Omit<RequestRecord, 'durationMs'> },
  ): Promise<TensorAnswer> {
    const { trace, deadline, signal } = options;
    if (trace) trace.admission(() => this.admit(deadline));
    else this.admit(deadline);
    try {
      const cacheable = this.#cache !== undefined && spec.deterministic && spec.cache.enabled;
      // One fingerprint (sha256 of the inputs) serves the cache and the coalescing of identical requests in a batch. With the
      // cache off none is made: hashing every request cost more than the rare duplicate in one batch saves.
      if (cacheable) fingerprint ??= responseCacheKey(spec, item);
      let processors: string[] = [];
      let computeMs = 0;
      const run = async (): Promise<CachedAnswer> => {
        trace?.cacheLookedUp(false);
        const computeStarted = performance.now();
        const computeOptions = { rows, deadline, signal, coalesceKey: fingerprint, trace };
        let served;
        try {
          served = await (route ? runRoute(route, item, computeOptions) : this.#pipeline.run(spec, item, computeOptions));
        } finally {
          computeMs += performance.now() - computeStarted;
        }
        if (!served.result.ok) throw toApiErrorOfItem(served.result.error);
        processors = served.processors;
        return { outputs: served.result.outputs, workerId: served.workerId, connections: served.connections };
      };
      let answer: CachedAnswer;
      let cacheState: 'hit' | 'miss' | undefined;
      if (cacheable) {
        trace?.cacheLookup();
        const lookupStarted = performance.now();
        const through = await this.#cache!.through(fingerprint!, spec.cache.ttlMs, run, signal);
        answer = through.answer;
        cacheState = through.hit ? 'hit' : 'miss';
        trace?.cacheLookedUp(through.hit);
        outcome.record.cache = through.hit ? { hit: true } : { hit: false, overheadMs: performance.now() - lookupStarted - computeMs };
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
          ...(route?.shard !== undefined ? { infermesh_shard: route.shard } : {}),
          ...(cacheState ? { infermesh_cache: cacheState } : {}),
          ...(route?.fallbackFrom ? { infermesh_fallback_from: route.fallbackFrom } : {}),
        },
        outputs: classify.length === 0 ? answer.outputs : classified(spec, answer.outputs, classify),
      };
    } catch (error) {
      throw toApiError(error);
    } finally {
      this.#admission.release();
    }
  }
}

/** The answer's outputs with each output the request asked to classify replaced by its top-k classes (Triton's classification extension). */
function classified(spec: ModelSpec, outputs: TensorMap, asked: readonly ClassificationRequest[]): TensorMap {
  const out: TensorMap = { ...outputs };
  for (const { output, count } of asked) {
    const tensor = outputs[output];
    if (tensor) out[output] = classifyTensor(tensor, count, spec.classLabels[output]);
  }
  return out;
}
