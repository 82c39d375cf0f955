import { z } from 'zod/v4';
import { TensorSpecSchema } from './tensor.js';

/** A model name: safe in a URL path segment and a folder name. */
export const ModelNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, _ . - (max 128)');
/** A model version: a positive integer, as Triton numbers version folders. */
export const ModelVersionSchema = z.string().regex(/^[1-9][0-9]{0,8}$/, 'a positive integer');

/**
 * How many workers should serve a model at once: asked in the model's `manifest.yaml` (not part of the
 * spec a client sees), and reconciled onto workers by the placement leader (many coordinators on etcd).
 */
export const ModelReplicasSchema = z.int().min(1).max(1024);

/** A reference to a named pre- or post-processing step, with its options. */
export const StepRefSchema = z.object({
  step: z.string().min(1).max(64),
  options: z.record(z.string(), z.unknown()).default({}),
});
export type StepRef = z.infer<typeof StepRefSchema>;

export const BatchingPolicySchema = z.object({
  /** Largest number of rows (first dimension) one run of the model takes. */
  maxBatchSize: z.int().min(1).max(65_536).default(64),
  /** How long the oldest queued request may wait for a batch to fill. */
  maxDelayMs: z.number().min(0).max(60_000).default(2),
  /** Batch sizes the model runs best at; a batch may close early at one of these. */
  preferredBatchSizes: z.array(z.int().min(1)).default([]),
  /** Requests waiting for a batch beyond which new ones are refused (429). */
  maxQueue: z.int().min(1).default(1024),
  /**
   * How requests whose inputs differ in shape share a run: `buckets` runs once per distinct shape;
   * `pad-last-axis` pads FP32 inputs differing only in their last axis to the widest (text lines).
   */
  dynamicShapes: z.enum(['buckets', 'pad-last-axis']).default('buckets'),
});
export type BatchingPolicy = z.infer<typeof BatchingPolicySchema>;

/**
 * One stage of a pipeline model (Triton's ensemble step): the model it runs, which of the pipeline's
 * tensors feed its inputs (`inputs`: stage input ← pipeline tensor), and under which names its outputs
 * join them (`outputs`: stage output → pipeline tensor). The pipeline's own inputs are its first tensors.
 */
export const PipelineStageSchema = z.strictObject({
  model: ModelNameSchema,
  /** A version of `model`; absent: its latest. */
  version: ModelVersionSchema.optional(),
  inputs: z.record(z.string().min(1).max(128), z.string().min(1).max(128)),
  outputs: z.record(z.string().min(1).max(128), z.string().min(1).max(128)),
});
export type PipelineStage = z.infer<typeof PipelineStageSchema>;

/**
 * What a model is, as the worker reports it and the coordinator serves it. `inputs` and `outputs`
 * are the tensors a client sends and receives; pre-processing maps the former to the runtime's own.
 */
export const ModelSpecSchema = z.object({
  name: ModelNameSchema,
  version: ModelVersionSchema,
  /** `pipeline`: the model runs no file of its own but the models of `pipeline`, each on its own lane. */
  platform: z.enum(['onnx', 'js', 'pipeline']).default('onnx'),
  description: z.string().max(1024).default(''),
  inputs: z.array(TensorSpecSchema).min(1),
  outputs: z.array(TensorSpecSchema).min(1),
  batchable: z.boolean().default(true),
  batching: BatchingPolicySchema.prefault({}),
  quantized: z.boolean().default(false),
  /** Number of shards the model is split into; each worker serves some of them. */
  shards: z.int().min(1).max(1024).default(1),
  /** False for models whose answer may change between identical requests: never cached. */
  deterministic: z.boolean().default(true),
  /** The coordinator's response cache for this model (used only when `deterministic`). */
  cache: z
    .object({
      enabled: z.boolean().default(true),
      /** How long a cached answer is served. */
      ttlMs: z.int().min(1).max(30 * 24 * 3_600_000).default(300_000),
    })
    .prefault({}),
  preprocess: z.array(StepRefSchema).default([]),
  postprocess: z.array(StepRefSchema).default([]),
  /**
   * The class names of classifier outputs, by output name, in index order: the labels the protocol's
   * `classification` output parameter writes beside each top-k index (Triton's `label_filename`).
   */
  classLabels: z.record(z.string().min(1).max(128), z.array(z.string().max(1024)).min(1).max(65_536)).default({}),
  /** Free-form labels, shown in model metadata as parameters. */
  labels: z.record(z.string(), z.string()).default({}),
  /**
   * BYTES inputs whose elements are raw bytes (an encoded image), not UTF-8 text: through the binary
   * extension they arrive raw and are held as base64 text, as the JSON protocol carries them.
   */
  rawBytesInputs: z.array(z.string().min(1).max(128)).max(64).default([]),
  /**
   * The stages of a `pipeline` model, in order (the registry refuses a pipeline without stages, and stages
   * on another platform); a stage whose inputs hold no rows is skipped and its outputs are empty.
   */
  pipeline: z.array(PipelineStageSchema).max(16).default([]),
});
export type ModelSpec = z.infer<typeof ModelSpecSchema>;
export type ModelSpecInput = z.input<typeof ModelSpecSchema>;

/**
 * A model version's key, `name:version`, for maps, labels and log lines. It is built here and
 * nowhere else, and never parsed back: keep the spec beside it when you need the parts.
 */
export function modelVersionKey(model: { readonly name: string; readonly version: string }): string {
  return `${model.name}:${model.version}`;
}
