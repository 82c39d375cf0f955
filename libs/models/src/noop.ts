import type { ModelManifestInput } from '@infermesh/registry';

/** The model module: hands `input` back as `output`, unchanged and uncopied. */
export const NOOP_MODULE_SOURCE = `// infermesh noop model: returns its input as its output, to measure the serving floor.
export function run(inputs) {
  return { output: inputs.input };
}
`;

export function noopManifest(): ModelManifestInput {
  return {
    name: 'noop',
    platform: 'js',
    file: 'model.mjs',
    description: 'Returns its input unchanged: the cost of serving with no model work, for benchmarks.',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 4] }],
    batchable: true,
    batching: { maxBatchSize: 256, maxDelayMs: 0 },
    labels: { task: 'benchmark' },
  };
}
