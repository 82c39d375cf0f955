import { describe, expect, it } from 'vitest';
import { tritonModelConfig } from './model-config.js';
import { ModelSpecSchema } from './model-spec.js';

describe('tritonModelConfig', () => {
  it('answers a batching ONNX model in Triton\'s ModelConfig JSON shape, dims without the batch dimension', () => {
    const spec = ModelSpecSchema.parse({
      name: 'sentiment', version: '1',
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
      batching: { maxBatchSize: 32, maxDelayMs: 2.5, preferredBatchSizes: [8, 16] },
      labels: { task: 'text-classification' },
    });
    const config = tritonModelConfig(spec, { instances: 2 });
    expect(config).toMatchObject({
      name: 'sentiment',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      max_batch_size: 32,
      input: [{ name: 'text', data_type: 'TYPE_STRING', format: 'FORMAT_NONE', dims: [1], reshape: { shape: [] } }],
      output: [{ name: 'probabilities', data_type: 'TYPE_FP32', dims: [3], label_filename: '' }],
      dynamic_batching: { preferred_batch_size: [8, 16], max_queue_delay_microseconds: 2500 },
      instance_group: [{ name: 'sentiment_0', kind: 'KIND_CPU', count: 2 }],
      default_model_filename: 'model.onnx',
      parameters: { task: { string_value: 'text-classification' } },
    });
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('keeps every dimension and has no dynamic batcher for a model that does not batch', () => {
    const spec = ModelSpecSchema.parse({
      name: 'fixed', version: '3', platform: 'js', batchable: false,
      inputs: [{ name: 'x', datatype: 'INT64', shape: [2, 2] }], outputs: [{ name: 'y', datatype: 'FP64', shape: [4] }],
    });
    const config = tritonModelConfig(spec, { instances: 0 });
    expect(config).toMatchObject({ platform: 'infermesh_js', max_batch_size: 0, input: [{ data_type: 'TYPE_INT64', dims: [2, 2] }], output: [{ data_type: 'TYPE_FP64', dims: [4] }] });
    expect(config.dynamic_batching).toBeUndefined();
    expect(config.input[0]!.reshape).toBeUndefined();
  });
});

describe('tritonModelConfig of a pipeline', () => {
  it('is an ensemble whose steps map the pipeline tensors', () => {
    const spec = ModelSpecSchema.parse({
      name: 'ocr', version: '1', platform: 'pipeline', batchable: false,
      inputs: [{ name: 'image', datatype: 'BYTES', shape: [1] }], outputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
      pipeline: [
        { model: 'ocr-det', inputs: { image: 'image' }, outputs: { lines: 'lines' } },
        { model: 'ocr-rec', version: '2', inputs: { x: 'lines' }, outputs: { text: 'text' } },
      ],
    });
    const config = tritonModelConfig(spec, { instances: 0 });
    expect(config).toMatchObject({ platform: 'ensemble', backend: '', default_model_filename: '', max_batch_size: 0 });
    expect(config.ensemble_scheduling?.step).toEqual([
      { model_name: 'ocr-det', model_version: -1, input_map: { image: 'image' }, output_map: { lines: 'lines' } },
      { model_name: 'ocr-rec', model_version: 2, input_map: { x: 'lines' }, output_map: { text: 'text' } },
    ]);
  });
});
