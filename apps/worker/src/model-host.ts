import type { InferBatchRequest, InferBatchResponse, InferItemResult, ModelSpec, TensorMap } from '@infermesh/contracts';
import { buildPipeline, defaultCatalog, type Pipeline } from '@infermesh/processing';
import type { RepositoryModel } from '@infermesh/registry';
import { runBatch, type LoadedModel, type ModelRuntime } from '@infermesh/runtime';

/** The stages of a batch the host reports, for the worker's spans. */
export type HostStage = 'preprocess' | 'inference' | 'postprocess';

/**
 * Times the stages of a batch: `start` is called as a stage begins and the returned handle's `end`
 * as it finishes. A telemetry `Trace` fits as `{ start: (name) => trace.span(name) }`.
 */
export interface StageTimer {
  start(stage: HostStage): { end(): unknown };
}

interface HostedModel {
  spec: ModelSpec;
  model: LoadedModel;
  pre: Pipeline;
  post: Pipeline;
}

/** An error on one item, with the code the coordinator maps to a client answer. */
class ItemError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

function codeOf(error: unknown, fallback: string): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : fallback;
}

function failure(error: unknown, fallback: string): InferItemResult {
  return { ok: false, error: { code: codeOf(error, fallback), message: (error as Error)?.message ?? String(error) } };
}

function pick(outputs: TensorMap, names: readonly string[]): TensorMap {
  const out: TensorMap = {};
  for (const name of names) {
    const t = outputs[name];
    if (!t) throw new ItemError('IM_WORKER_RUNTIME', `pipeline produced no output '${name}'`);
    out[name] = t;
  }
  return out;
}

/**
 * The models one worker serves: for each, the pre-processing pipeline, the runtime session and the
 * post-processing pipeline, checked to fit together when loaded, not when the first request fails.
 */
export class ModelHost {
  readonly #models = new Map<string, HostedModel>();

  static async load(models: readonly RepositoryModel[], runtimes: Record<string, ModelRuntime>): Promise<ModelHost> {
    const host = new ModelHost();
    const catalog = defaultCatalog();
    try {
      for (const { spec, dir, file } of models) {
        const runtime = runtimes[spec.platform];
        if (!runtime) throw new Error(`model '${spec.name}': no runtime for platform '${spec.platform}'`);
        const pre = await buildPipeline(spec.preprocess, catalog, { dir }, spec.inputs);
        const model = await runtime.load({ spec, file });
        for (const input of model.inputs) {
          if (!pre.outputs.some((o) => o.name === input.name)) {
            throw new Error(
              `model '${spec.name}': runtime input '${input.name}' is not produced by pre-processing (has: ${pre.outputs.map((o) => o.name).join(', ')})`,
            );
          }
        }
        const post = await buildPipeline(spec.postprocess, catalog, { dir }, model.outputs.map((o) => ({ ...o, shape: [...o.shape] })));
        for (const output of spec.outputs) {
          if (!post.outputs.some((o) => o.name === output.name)) {
            throw new Error(`model '${spec.name}': declared output '${output.name}' is not produced by the model or post-processing`);
          }
        }
        host.#models.set(`${spec.name}:${spec.version}`, { spec, model, pre, post });
      }
    } catch (error) {
      await host.close();
      throw error;
    }
    return host;
  }

  get specs(): ModelSpec[] {
    return [...this.#models.values()].map((m) => m.spec);
  }

  /**
   * Runs one batch: pre-processing per item (a bad item fails alone), one runtime call on the
   * stacked batch, post-processing per item. The answer holds one result per item, in order.
   */
  async infer(request: InferBatchRequest, signal?: AbortSignal, stages?: StageTimer): Promise<InferBatchResponse> {
    const started = performance.now();
    const hosted = this.#models.get(`${request.model}:${request.version}`);
    if (!hosted) {
      const error = { code: 'IM_WORKER_MODEL_NOT_LOADED', message: `model ${request.model}:${request.version} is not loaded here` };
      return { items: request.items.map(() => ({ ok: false as const, error })), computeMs: performance.now() - started };
    }
    const { spec, model, pre, post } = hosted;
    const results: InferItemResult[] = new Array(request.items.length);
    const ready: Array<{ index: number; inputs: TensorMap }> = [];
    const preprocess = stages?.start('preprocess');
    request.items.forEach((item, index) => {
      try {
        const processed = pre.run(item.inputs);
        ready.push({ index, inputs: pick(processed, model.inputs.map((i) => i.name)) });
      } catch (error) {
        results[index] = failure(error, 'IM_WORKER_BAD_INPUT');
      }
    });
    preprocess?.end();
    if (ready.length > 0) {
      try {
        signal?.throwIfAborted();
        const inference = stages?.start('inference');
        let outputs;
        try {
          outputs = await runBatch(model, ready.map((r) => r.inputs));
        } finally {
          inference?.end();
        }
        const postprocess = stages?.start('postprocess');
        ready.forEach(({ index }, k) => {
          try {
            const item = request.items[index]!;
            const wanted = item.outputs.length > 0 ? item.outputs : spec.outputs.map((o) => o.name);
            results[index] = { ok: true, outputs: pick(post.run(outputs[k]!), wanted) };
          } catch (error) {
            results[index] = failure(error, 'IM_WORKER_RUNTIME');
          }
        });
        postprocess?.end();
      } catch (error) {
        for (const { index } of ready) results[index] = failure(error, 'IM_WORKER_RUNTIME');
      }
    }
    return { items: results, computeMs: performance.now() - started };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#models.values()].map((m) => m.model.close()));
    this.#models.clear();
  }
}
