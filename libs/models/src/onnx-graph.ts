import pkg from 'onnx-proto';

// onnx-proto is CommonJS: its named export is only reachable through the default import.
const { onnx } = pkg;

/** ONNX TensorProto element types used here. */
const FLOAT = 1;
const ATTRIBUTE_INT = 2;

/** A graph tensor with a declared shape; a string dimension is symbolic (the batch, say). */
export interface GraphTensor {
  name: string;
  shape: (number | string)[];
}

export interface GraphNode {
  op: 'MatMul' | 'Add' | 'Relu' | 'Softmax' | 'Identity';
  inputs: string[];
  outputs: string[];
  /** Integer attributes (Softmax's `axis`). */
  ints?: Record<string, number>;
}

export interface GraphInitializer {
  name: string;
  dims: number[];
  data: Float32Array;
}

export interface FloatGraph {
  name: string;
  docString?: string;
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  nodes: GraphNode[];
  initializers: GraphInitializer[];
}

/** ONNX IR version 8 with opset 13: what onnxruntime-node 1.30 reads without conversion. */
export const IR_VERSION = 8;
export const OPSET = 13;

function valueInfo(t: GraphTensor) {
  return onnx.ValueInfoProto.create({
    name: t.name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: t.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

/** Serialises an all-FP32 graph to the bytes of an `.onnx` file. */
export function encodeFloatGraph(graph: FloatGraph): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'infermesh-models',
    producerVersion: '0.1.0',
    docString: graph.docString ?? '',
    graph: onnx.GraphProto.create({
      name: graph.name,
      node: graph.nodes.map((n, i) =>
        onnx.NodeProto.create({
          name: `${n.op.toLowerCase()}_${i}`,
          opType: n.op,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.ints ?? {}).map(([name, i]) => ({ name, type: ATTRIBUTE_INT, i })),
        }),
      ),
      initializer: graph.initializers.map((t) =>
        onnx.TensorProto.create({
          name: t.name,
          dataType: FLOAT,
          dims: t.dims,
          // Copy, so the bytes do not alias a larger buffer the Float32Array may be a view of.
          rawData: new Uint8Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength)),
        }),
      ),
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Reads the initializers back from `.onnx` bytes (for tests: what was written is what was meant). */
export function decodeInitializers(bytes: Uint8Array): Map<string, Float32Array> {
  const model = onnx.ModelProto.decode(bytes);
  const out = new Map<string, Float32Array>();
  for (const t of model.graph?.initializer ?? []) {
    const raw = t.rawData ?? new Uint8Array();
    // rawData may be a view into the whole file at any offset: copy before reinterpreting.
    const copy = new Uint8Array(raw);
    out.set(t.name ?? '', new Float32Array(copy.buffer, 0, copy.byteLength / 4));
  }
  return out;
}
