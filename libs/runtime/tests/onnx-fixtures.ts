import pkg from 'onnx-proto';

const { onnx } = pkg;

/** ONNX element type numbers (TensorProto.DataType) by contract datatype. */
export const ONNX_TYPE = {
  FP32: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, BYTES: 8, BOOL: 9, FP16: 10, FP64: 11,
  UINT32: 12, UINT64: 13,
} as const;
export type OnnxTypeName = keyof typeof ONNX_TYPE;

function valueInfo(name: string, type: OnnxTypeName, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE[type],
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

function encode(graph: InstanceType<typeof onnx.GraphProto>): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'infermesh-runtime-tests',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** y = x + bias, x FP32 [N, k]. */
export function addBiasModel(bias: number[]): Uint8Array {
  const k = bias.length;
  return encode(
    onnx.GraphProto.create({
      name: 'add_bias',
      node: [{ opType: 'Add', input: ['x', 'bias'], output: ['y'], name: 'add' }],
      initializer: [
        { name: 'bias', dataType: ONNX_TYPE.FP32, dims: [k], rawData: new Uint8Array(new Float32Array(bias).buffer) },
      ],
      input: [valueInfo('x', 'FP32', ['N', k])],
      output: [valueInfo('y', 'FP32', ['N', k])],
    }),
  );
}

/** One Identity per datatype: input `in_<T>` [N, 2] → output `out_<T>`. */
export function identityModel(types: readonly OnnxTypeName[]): Uint8Array {
  return encode(
    onnx.GraphProto.create({
      name: 'identity',
      node: types.map((t) => ({ opType: 'Identity', input: [`in_${t}`], output: [`out_${t}`], name: `id_${t}` })),
      input: types.map((t) => valueInfo(`in_${t}`, t, ['N', 2])),
      output: types.map((t) => valueInfo(`out_${t}`, t, ['N', 2])),
    }),
  );
}
