import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnPeer, succeeds, type PeerEngine, type PeerModel } from './peer-engine.js';

/** Triton's model configuration for the MLP: ONNX Runtime backend, 2 CPU instances, dynamic batching. */
export function tritonModelConfig(model: Pick<PeerModel, 'dims' | 'maxBatchSize' | 'maxDelayMs'>): string {
  return `name: "mlp"
backend: "onnxruntime"
max_batch_size: ${model.maxBatchSize}
input [ { name: "input", data_type: TYPE_FP32, dims: [ ${model.dims[0]} ] } ]
output [ { name: "output", data_type: TYPE_FP32, dims: [ ${model.dims.at(-1)} ] } ]
instance_group [ { count: 2, kind: KIND_CPU } ]
dynamic_batching { max_queue_delay_microseconds: ${Math.round(model.maxDelayMs * 1000)} }
parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
parameters { key: "inter_op_thread_count" value: { string_value: "1" } }
`;
}

/**
 * NVIDIA Triton Inference Server, which speaks the Open Inference Protocol itself: a model repository
 * with the same model.onnx, 2 instances, dynamic batching at the manifest's size and delay. It comes
 * with `nvidia-pytriton` (PyPI) or NVIDIA's containers, neither reachable here.
 */
export const triton: PeerEngine = {
  product: 'Triton',
  name: 'Triton, 2 instances, dynamic batching',
  missing() {
    return succeeds('sh', ['-c', 'command -v tritonserver'])
      ? undefined
      : 'not installed (tritonserver not found: nvidia-pytriton needs PyPI and the Triton containers a registry, both unreachable here)';
  },
  async start(model) {
    const repository = join(model.dir, 'triton-models');
    mkdirSync(join(repository, 'mlp', '1'), { recursive: true });
    symlinkSync(model.onnxPath, join(repository, 'mlp', '1', 'model.onnx'));
    writeFileSync(join(repository, 'mlp', 'config.pbtxt'), tritonModelConfig(model));
    const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
    return spawnPeer(
      'tritonserver',
      [`--model-repository=${repository}`, `--http-port=${http}`, `--grpc-port=${grpc}`, `--metrics-port=${metrics}`, '--allow-metrics=false', '--log-verbose=0'],
      `http://127.0.0.1:${http}`,
      model.probeBody,
    );
  },
};
