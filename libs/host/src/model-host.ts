import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  modelVersionKey, specFits,
  type BatchTimings, type InferBatchRequest, type InferBatchResponse, type InferItem, type InferItemResult, type ModelSpec, type ModelStages, type TensorMap,
  type TensorSpec, type WorkerErrorCode, type WorkerRole,
} from '@infermesh/contracts';
import { buildPipeline, defaultCatalog, PipelineMismatchError, type Pipeline } from '@infermesh/processing';
import type { RepositoryModel } from '@infermesh/registry';
import { runBatch, type LoadedModel, type ModelRuntime } from '@infermesh/runtime';

/**
 * Longest a batch's per-item steps run before letting the event loop turn: a batch of long texts
 * must not hold off heartbeats and health checks (a worker that misses them is taken out of rotation).
 */
const MAX_STEP_SLICE_MS = 10;

/** The stages of a batch the host reports, for the worker's spans. */
export type HostStage = 'preprocess' | 'inference' | 'postprocess';

/**
 * Times the stages of a batch: `start` is called as a stage begins and the returned handle's `end`
 * as it finishes. A telemetry `Trace` fits as `{ start: (name) => trace.span(name) }`.
 */
/** Whether a batch's caller gave up, and why: an AbortSignal is one, and so is a transport handler's context. */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
}

export interface StageTimer {
  start(stage: HostStage): { end(): unknown };
}

export interface ModelHostOptions {
  /**
   * `model` (default) keeps each model's session and runs every stage. `processor` opens each model
   * once at load to learn its session's tensors (so its pipelines are checked against them), closes
   * it, and runs only pre- and post-processing.
   */
  role?: WorkerRole;
}

interface HostedModel {
  spec: ModelSpec;
  /** Undefined on a processor. */
  model: LoadedModel | undefined;
  pre: Pipeline;
  post: Pipeline;
  /** The session's input names: what pre-processing hands on. */
  sessionInputs: string[];
  /**
   * Tensors pre-processing makes that the session does not read (an image's size, each text line's
   * width): they go round the session to post-processing, co-located or disaggregated alike.
   */
  carried: string[];
  stages: ModelStages;
  /** Batches running now; `remove` waits for them. */
  running: number;
  /** Set by `remove` while batches run: called when the last one ends. */
  idle: (() => void) | undefined;
}

/** A failed item answers with the worker code of the stage it failed in (contracts' `WORKER_ERRORS`) and the cause's message. */
function failure(error: unknown, code: WorkerErrorCode): InferItemResult {
  return { ok: false, error: { code, message: (error as Error)?.message ?? String(error) } };
}

function pick(outputs: TensorMap, names: readonly string[]): TensorMap {
  const out: TensorMap = {};
  for (const name of names) {
    const t = outputs[name];
    if (!t) throw new Error(`pipeline produced no output '${name}'`);
    out[name] = t;
  }
  return out;
}

const copy = (specs: ReadonlyArray<Omit<TensorSpec, 'shape'> & { shape: readonly number[] }>): TensorSpec[] => specs.map((s) => ({ name: s.name, datatype: s.datatype, shape: [...s.shape] }));

/** Every tensor of `wanted` must be among `have` with a fitting datatype and shape; else the model is refused. */
function requireFit(model: string, stage: string, have: readonly TensorSpec[], wanted: readonly TensorSpec[], what: string): void {
  for (const want of wanted) {
    const found = have.find((h) => h.name === want.name);
    if (found && specFits(found, want)) continue;
    const shown = (s: TensorSpec): string => `'${s.name}' ${s.datatype} [${s.shape.join(', ')}]`;
    throw new PipelineMismatchError(
      `model '${model}': ${what} ${shown(want)} ${found ? `does not fit ${shown(found)}` : 'is not produced'}; available: ${have.map(shown).join(', ')}`,
      { step: stage, tensor: want.name, expected: want, actual: found, available: [...have] },
    );
  }
}

/** The item's own output list, or the stage's default. */
const wanted = (item: InferItem, fallback: readonly string[]): readonly string[] => (item.outputs.length > 0 ? item.outputs : fallback);

/**
 * The models one worker serves: for each, the pre-processing pipeline, the runtime session and the
 * post-processing pipeline, checked to fit together when loaded, not when the first request fails.
 * A batch runs every stage (co-located) or one of them (disaggregated: a processor runs pre- or
 * post-processing, a model worker the session alone); the code of each stage is the same either way,
 * so the answer is too.
 */
export class ModelHost {
  readonly #models = new Map<string, HostedModel>();
  readonly #runtimes: Record<string, ModelRuntime>;
  readonly role: WorkerRole;

  private constructor(runtimes: Record<string, ModelRuntime>, role: WorkerRole) {
    this.#runtimes = runtimes;
    this.role = role;
  }

  static async load(
    models: readonly RepositoryModel[], runtimes: Record<string, ModelRuntime>, options: ModelHostOptions = {},
  ): Promise<ModelHost> {
    const host = new ModelHost(runtimes, options.role ?? 'model');
    try {
      await host.add(models);
    } catch (error) {
      await host.close();
      throw error;
    }
    return host;
  }

  /**
   * Loads model versions (explicit model control): each is built and checked as at start; a version
   * already loaded is kept as it is. All or nothing: when one fails, the ones this call loaded are closed.
   */
  async add(models: readonly RepositoryModel[]): Promise<ModelSpec[]> {
    const catalog = defaultCatalog();
    const added: Array<[string, HostedModel]> = [];
    try {
      for (const { spec, dir, file } of models) {
        if (this.#models.has(modelVersionKey(spec))) continue;
        if (spec.platform === 'pipeline') {
          // Reported so the coordinator serves it; its stages are other models, run on their own lanes.
          const identity = await buildPipeline([], catalog, { dir }, spec.inputs);
          added.push([modelVersionKey(spec), {
            spec, model: undefined, pre: identity, post: identity, sessionInputs: [], carried: [], stages: {}, running: 0, idle: undefined,
          }]);
          continue;
        }
        const runtime = this.#runtimes[spec.platform];
        if (!runtime) throw new Error(`model '${spec.name}': no runtime for platform '${spec.platform}'`);
        const pre = await buildPipeline(spec.preprocess, catalog, { dir }, spec.inputs);
        const model = await runtime.load({ spec, file });
        const session = { inputs: copy(model.inputs), outputs: copy(model.outputs) };
        const named = (specs: readonly TensorSpec[], name: string): boolean => specs.some((s) => s.name === name);
        // Made before the session and not read by it: what post-processing may read round the session (only what it does read is carried).
        const candidates = copy(pre.outputs.filter((s) => !named(session.inputs, s.name) && !named(session.outputs, s.name)));
        let carried: TensorSpec[] = [];
        // A processor only needed the session's tensors; it never runs the session.
        const kept = this.role === 'processor' ? undefined : model;
        if (!kept) await model.close();
        let post: Pipeline;
        try {
          requireFit(spec.name, 'model', pre.outputs, session.inputs, 'session input');
          post = await buildPipeline(spec.postprocess, catalog, { dir }, [...candidates, ...session.outputs]);
          carried = candidates.filter((c) => post.steps.some((step) => named(step.inputs, c.name)));
          requireFit(spec.name, 'postprocess', post.outputs, spec.outputs, 'declared output');
        } catch (error) {
          await kept?.close();
          throw error;
        }
        const only = (specs: readonly TensorSpec[], of: readonly TensorSpec[]): TensorSpec[] =>
          copy(specs.filter((s) => of.some((o) => o.name === s.name)));
        added.push([modelVersionKey(spec), {
          spec,
          model: kept,
          pre,
          post,
          sessionInputs: session.inputs.map((s) => s.name),
          carried: carried.map((s) => s.name),
          stages: {
            preprocess: { inputs: copy(spec.inputs), outputs: [...only(pre.outputs, session.inputs), ...carried] },
            ...(kept ? { model: carried.length === 0 ? session : { inputs: [...session.inputs, ...carried], outputs: [...carried, ...session.outputs] } } : {}),
            postprocess: { inputs: [...carried, ...session.outputs], outputs: only(post.outputs, spec.outputs) },
          },
          running: 0,
          idle: undefined,
        }]);
      }
    } catch (error) {
      await Promise.allSettled(added.map(([, m]) => m.model?.close()));
      throw error;
    }
    for (const [key, hosted] of added) this.#models.set(key, hosted);
    return added.map(([, m]) => m.spec);
  }

  /**
   * Drops every version of a model: new batches for it are answered `IM_WORKER_MODEL_NOT_LOADED` at
   * once, the batches it is running are answered, then its sessions are closed. Returns the versions dropped.
   */
  async remove(name: string): Promise<ModelSpec[]> {
    const dropped = [...this.#models].filter(([, m]) => m.spec.name === name);
    for (const [key] of dropped) this.#models.delete(key);
    await Promise.all(dropped.map(async ([, m]) => {
      if (m.running > 0) await new Promise<void>((resolve) => (m.idle = resolve));
      await m.model?.close();
    }));
    return dropped.map(([, m]) => m.spec);
  }

  get specs(): ModelSpec[] {
    return [...this.#models.values()].map((m) => m.spec);
  }

  /** Per model (`name:version`), the stages this host runs and their tensors, for the worker's `describe`. */
  get stages(): Record<string, ModelStages> {
    return Object.fromEntries([...this.#models].map(([k, m]) => [k, m.stages]));
  }

  /**
   * Runs one batch of `request.stage`: pre- and post-processing per item (a bad item fails alone),
   * the session once on the stacked batch. The answer holds one result per item, in order. A batch
   * whose `cancel` is aborted before the session runs fails with its reason.
   */
  async infer(request: InferBatchRequest, cancel?: Cancellation, stages?: StageTimer): Promise<InferBatchResponse> {
    const started = performance.now();
    const hosted = this.#models.get(modelVersionKey({ name: request.model, version: request.version }));
    const stage = request.stage;
    const runsModel = stage === 'all' || stage === 'model';
    if (!hosted || (runsModel && !hosted.model)) {
      const where = hosted ? ` (this ${this.role} runs only pre- and post-processing)` : '';
      const error = { code: 'IM_WORKER_MODEL_NOT_LOADED' satisfies WorkerErrorCode, message: `model ${request.model}:${request.version} is not loaded here${where}` };
      return { items: request.items.map(() => ({ ok: false as const, error })), computeMs: performance.now() - started };
    }
    hosted.running++;
    try {
      return await this.#run(hosted, request, started, cancel, stages);
    } finally {
      if (--hosted.running === 0) hosted.idle?.();
    }
  }

  async #run(hosted: HostedModel, request: InferBatchRequest, started: number, cancel?: Cancellation, stages?: StageTimer): Promise<InferBatchResponse> {
    const stage = request.stage;
    const runsModel = stage === 'all' || stage === 'model';
    const { spec, model, pre, post } = hosted;
    const timings: BatchTimings = {};
    const results: InferItemResult[] = new Array(request.items.length);
    let live = request.items.map((item, index) => ({ index, item, tensors: item.inputs }));
    // One per-item stage (timed when named): an item whose step throws fails alone with `code`, the rest go on.
    const perItem = async (name: HostStage | undefined, code: WorkerErrorCode, run: (tensors: TensorMap, item: InferItem) => TensorMap | Promise<TensorMap>): Promise<void> => {
      if (live.length === 0) return;
      const timer = name === undefined ? undefined : stages?.start(name);
      const begun = performance.now();
      const kept: typeof live = [];
      let sliceStart = performance.now();
      for (const r of live) {
        try {
          const out = run(r.tensors, r.item);
          r.tensors = out instanceof Promise ? await out : out;
          kept.push(r);
        } catch (error) {
          results[r.index] = failure(error, code);
        }
        if (performance.now() - sliceStart > MAX_STEP_SLICE_MS) {
          await nextTurn();
          sliceStart = performance.now();
        }
      }
      live = kept;
      timer?.end();
      if (name === 'preprocess') timings.preprocessMs = performance.now() - begun;
      if (name === 'postprocess') timings.postprocessMs = performance.now() - begun;
    };

    if (stage === 'all' || stage === 'preprocess') {
      const onward = [...hosted.sessionInputs, ...hosted.carried];
      const handOn = (item: InferItem): readonly string[] => (stage === 'all' ? onward : wanted(item, onward));
      await perItem('preprocess', 'IM_WORKER_BAD_INPUT', (tensors, item) => (pre.async
        ? pre.runAsync(tensors).then((out) => pick(out, handOn(item)))
        : pick(pre.run(tensors), handOn(item))));
    }
    if (runsModel && model && live.length > 0) {
      try {
        if (cancel?.aborted === true) throw cancel.reason;
        const timer = stages?.start('inference');
        const begun = performance.now();
        let outputs;
        try {
          outputs = await runBatch(model, live.map((r) => (hosted.carried.length === 0 ? r.tensors : pick(r.tensors, hosted.sessionInputs))), undefined, hosted.spec.batching.dynamicShapes);
        } finally {
          timer?.end();
          timings.inferenceMs = performance.now() - begun;
        }
        live.forEach((r, k) => {
          r.tensors = hosted.carried.length === 0 ? outputs[k]! : { ...pick(r.tensors, hosted.carried), ...outputs[k]! };
        });
      } catch (error) {
        for (const r of live) results[r.index] = failure(error, 'IM_WORKER_RUNTIME');
        live = [];
      }
    }
    if (stage === 'model') {
      // Everything the session answered goes on to post-processing, unless the caller names outputs.
      await perItem(undefined, 'IM_WORKER_RUNTIME', (tensors, item) => (item.outputs.length === 0 ? tensors : pick(tensors, item.outputs)));
    }
    if (stage === 'all' || stage === 'postprocess') {
      const declared = spec.outputs.map((o) => o.name);
      await perItem('postprocess', 'IM_WORKER_RUNTIME', (tensors, item) => (post.async
        ? post.runAsync(tensors).then((out) => pick(out, wanted(item, declared)))
        : pick(post.run(tensors), wanted(item, declared))));
    }
    for (const r of live) results[r.index] = { ok: true, outputs: r.tensors };
    return { items: results, computeMs: performance.now() - started, timings };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#models.values()].map((m) => m.model?.close()));
    this.#models.clear();
  }
}
