import type { ModelManifestInput } from '@infermesh/registry';
import { encodeFloatGraph, type GraphNode } from './onnx-graph.js';
import { mulberry32 } from './prng.js';

export const DEFAULT_MLP_DIMS = [64, 256, 256, 16] as const;

export interface MlpLayer {
  /** [in, out], row-major. */
  weight: Float32Array;
  bias: Float32Array;
}
export interface MlpWeights {
  dims: number[];
  layers: MlpLayer[];
}

/** Xavier-uniform weights (±√(6 / (in + out))) and small biases from a seeded PRNG. */
export function mlpWeights({ dims = [...DEFAULT_MLP_DIMS], seed = 42 }: { dims?: number[]; seed?: number } = {}): MlpWeights {
  if (dims.length < 2 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`mlp dims must be at least two positive integers, got [${dims.join(', ')}]`);
  }
  const random = mulberry32(seed);
  const layers: MlpLayer[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const fanIn = dims[l] as number;
    const fanOut = dims[l + 1] as number;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const weight = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < weight.length; i++) weight[i] = (random() * 2 - 1) * limit;
    const bias = new Float32Array(fanOut);
    for (let i = 0; i < fanOut; i++) bias[i] = (random() * 2 - 1) * 0.1;
    layers.push({ weight, bias });
  }
  return { dims: [...dims], layers };
}

/** The same network in plain TypeScript: MatMul, Add, Relu on every layer but the last. */
export function mlpReference(weights: MlpWeights, input: Float32Array, rows: number): Float32Array {
  let x = input;
  weights.layers.forEach((layer, l) => {
    const fanIn = weights.dims[l] as number;
    const fanOut = weights.dims[l + 1] as number;
    const last = l === weights.layers.length - 1;
    const y = new Float32Array(rows * fanOut);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < fanOut; o++) {
        let acc = layer.bias[o] as number;
        for (let i = 0; i < fanIn; i++) acc += (x[r * fanIn + i] as number) * (layer.weight[i * fanOut + o] as number);
        y[r * fanOut + o] = last ? acc : Math.max(0, acc);
      }
    }
    x = y;
  });
  return x;
}

/** The `.onnx` bytes: input `input` FP32 [N, dims[0]] → output `output` FP32 [N, dims.at(-1)]. */
export function buildMlpOnnx(weights: MlpWeights): Uint8Array {
  const nodes: GraphNode[] = [];
  let current = 'input';
  weights.layers.forEach((_, l) => {
    const last = l === weights.layers.length - 1;
    const mm = `mm${l}`;
    const added = last ? 'output' : `add${l}`;
    nodes.push({ op: 'MatMul', inputs: [current, `w${l}`], outputs: [mm] });
    nodes.push({ op: 'Add', inputs: [mm, `b${l}`], outputs: [added] });
    if (!last) nodes.push({ op: 'Relu', inputs: [added], outputs: [`relu${l}`] });
    current = last ? added : `relu${l}`;
  });
  return encodeFloatGraph({
    name: 'mlp',
    docString: `dense MLP ${weights.dims.join('→')}`,
    inputs: [{ name: 'input', shape: ['N', weights.dims[0] as number] }],
    outputs: [{ name: 'output', shape: ['N', weights.dims.at(-1) as number] }],
    nodes,
    initializers: weights.layers.flatMap((layer, l) => [
      { name: `w${l}`, dims: [weights.dims[l] as number, weights.dims[l + 1] as number], data: layer.weight },
      { name: `b${l}`, dims: [weights.dims[l + 1] as number], data: layer.bias },
    ]),
  });
}

export function mlpManifest(dims: readonly number[], seed: number): ModelManifestInput {
  return {
    name: 'mlp',
    platform: 'onnx',
    description: `Dense MLP ${dims.join('→')} (MatMul/Add/Relu, seeded random weights): a compute load for benchmarks.`,
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, dims[0] as number] }],
    outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, dims.at(-1) as number] }],
    batchable: true,
    batching: { maxBatchSize: 256, maxDelayMs: 2 },
    labels: { task: 'benchmark', dims: dims.join(','), seed: String(seed) },
  };
}
