import type { Datatype } from './datatype.js';
import type { ModelSpec } from './model-spec.js';
import type { TensorSpec } from './tensor.js';

/** Triton's `DataType` enum names (model_config.proto) for each protocol datatype; BYTES is Triton's TYPE_STRING. */
export const TRITON_DATA_TYPE = {
  BOOL: 'TYPE_BOOL', UINT8: 'TYPE_UINT8', UINT16: 'TYPE_UINT16', UINT32: 'TYPE_UINT32', UINT64: 'TYPE_UINT64',
  INT8: 'TYPE_INT8', INT16: 'TYPE_INT16', INT32: 'TYPE_INT32', INT64: 'TYPE_INT64',
  FP16: 'TYPE_FP16', FP32: 'TYPE_FP32', FP64: 'TYPE_FP64', BYTES: 'TYPE_STRING',
} as const satisfies Record<Datatype, string>;

export interface TritonModelInput {
  name: string;
  data_type: string;
  format: 'FORMAT_NONE';
  dims: number[];
  /** Present when the tensor has no dimension besides the batch one: Triton declares `dims: [1]` reshaped to `[]`. */
  reshape?: { shape: number[] };
  is_shape_tensor: false;
  allow_ragged_batch: false;
  optional: false;
}

export interface TritonModelOutput {
  name: string;
  data_type: string;
  dims: number[];
  reshape?: { shape: number[] };
  label_filename: string;
  is_shape_tensor: false;
}

/** The JSON form of Triton's `ModelConfig` message (model_config.proto), as `GET /v2/models/{m}/config` answers it. */
export interface TritonModelConfig {
  name: string;
  platform: string;
  backend: string;
  max_batch_size: number;
  input: TritonModelInput[];
  output: TritonModelOutput[];
  batch_input: [];
  batch_output: [];
  dynamic_batching?: {
    preferred_batch_size: number[];
    max_queue_delay_microseconds: number;
    preserve_ordering: false;
    priority_levels: 0;
    default_priority_level: 0;
    priority_queue_policy: Record<string, never>;
  };
  instance_group: Array<{ name: string; kind: 'KIND_CPU'; count: number; gpus: []; secondary_devices: []; profile: []; passive: false; host_policy: '' }>;
  default_model_filename: string;
  parameters: Record<string, { string_value: string }>;
  model_warmup: [];
  /** A pipeline's stages, as Triton's `ensemble_scheduling`: each step's model and its tensor maps. */
  ensemble_scheduling?: {
    step: Array<{ model_name: string; model_version: number; input_map: Record<string, string>; output_map: Record<string, string> }>;
  };
}

/** What the configuration says of a model's deployment, beyond its spec. */
export interface ModelDeployment {
  /** Processes that run the model now (Triton's instance count). */
  instances: number;
  /** The model file's name in its version folder. Default: `model.onnx`, or `model.mjs` for a JS model. */
  file?: string | undefined;
}

/** A tensor's dims as Triton declares them: without the batch dimension when the model batches. */
function dims(spec: TensorSpec, batched: boolean): { dims: number[]; reshape?: { shape: number[] } } {
  if (!batched) return { dims: [...spec.shape] };
  const rest = spec.shape.slice(1);
  return rest.length > 0 ? { dims: rest } : { dims: [1], reshape: { shape: [] } };
}

/**
 * A model version's configuration in Triton's shape, derived from its spec: the platform, the batch
 * size (0 for a model that does not batch, whose dims then keep every dimension), the tensors with
 * Triton's type names, the dynamic batcher's delay (µs) and preferred sizes, and one CPU instance group
 * counting the processes that run it.
 */
export function tritonModelConfig(spec: ModelSpec, deployment: ModelDeployment): TritonModelConfig {
  const batched = spec.batchable;
  const onnx = spec.platform === 'onnx';
  const ensemble = spec.platform === 'pipeline';
  return {
    name: spec.name,
    platform: onnx ? 'onnxruntime_onnx' : ensemble ? 'ensemble' : 'infermesh_js',
    backend: onnx ? 'onnxruntime' : ensemble ? '' : 'infermesh_js',
    max_batch_size: batched ? spec.batching.maxBatchSize : 0,
    input: spec.inputs.map((t) => ({
      name: t.name, data_type: TRITON_DATA_TYPE[t.datatype], format: 'FORMAT_NONE' as const, ...dims(t, batched),
      is_shape_tensor: false as const, allow_ragged_batch: false as const, optional: false as const,
    })),
    output: spec.outputs.map((t) => ({
      name: t.name, data_type: TRITON_DATA_TYPE[t.datatype], ...dims(t, batched), label_filename: '', is_shape_tensor: false as const,
    })),
    batch_input: [],
    batch_output: [],
    ...(batched
      ? {
          dynamic_batching: {
            preferred_batch_size: [...spec.batching.preferredBatchSizes],
            max_queue_delay_microseconds: Math.round(spec.batching.maxDelayMs * 1000),
            preserve_ordering: false as const,
            priority_levels: 0 as const,
            default_priority_level: 0 as const,
            priority_queue_policy: {},
          },
        }
      : {}),
    instance_group: [
      { name: `${spec.name}_0`, kind: 'KIND_CPU', count: deployment.instances, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '' },
    ],
    default_model_filename: ensemble ? '' : deployment.file ?? (onnx ? 'model.onnx' : 'model.mjs'),
    parameters: Object.fromEntries(Object.entries(spec.labels).map(([k, v]) => [k, { string_value: v }])),
    model_warmup: [],
    ...(ensemble
      ? {
          ensemble_scheduling: {
            // Triton's -1: the latest version.
            step: spec.pipeline.map((s) => ({ model_name: s.model, model_version: s.version === undefined ? -1 : Number(s.version), input_map: { ...s.inputs }, output_map: { ...s.outputs } })),
          },
        }
      : {}),
  };
}
