import { describe, expect, it } from 'vitest';
import {
  inferRequestFromGrpc, inferResponseToGrpc, parametersFromGrpc, parametersToGrpc, tensorFromContents, tensorToContents,
  type GrpcInferRequest,
} from './grpc-inference.js';
import type { Tensor } from './tensor.js';

// Messages as @grpc/proto-loader decodes them with GRPC_LOADER_OPTIONS: int64 as decimal strings, the
// oneof's choice named in parameter_choice, unset message fields null.
const fp32Raw = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

describe('ModelInfer request from gRPC', () => {
  it('decodes raw_input_contents through the binary codec, one entry per input in order', () => {
    const message: GrpcInferRequest = {
      model_name: 'm', model_version: '', id: 'req-1', parameters: {},
      inputs: [
        { name: 'a', datatype: 'FP32', shape: ['1', '2'], parameters: {}, contents: null },
        { name: 'b', datatype: 'BYTES', shape: ['2'], parameters: {}, contents: null },
      ],
      outputs: [],
      raw_input_contents: [fp32Raw([1.5, -2]), Uint8Array.of(2, 0, 0, 0, 104, 105, 0, 0, 0, 0)],
    };
    const { request, inputs, raw } = inferRequestFromGrpc(message);
    expect(request).toEqual({ id: 'req-1', inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 2] }, { name: 'b', datatype: 'BYTES', shape: [2] }] });
    expect(inputs.get('a')).toEqual({ datatype: 'FP32', shape: [1, 2], data: Float32Array.of(1.5, -2) });
    expect(inputs.get('b')).toEqual({ datatype: 'BYTES', shape: [2], data: ['hi', ''] });
    expect(raw).toBe(true);
  });

  it('decodes typed contents into the typed array of each datatype, exactly for 64-bit integers', () => {
    const message: GrpcInferRequest = {
      model_name: 'm',
      inputs: [
        { name: 'i', datatype: 'INT64', shape: ['2'], contents: { int64_contents: ['-9223372036854775808', '9007199254740993'] } },
        { name: 'u', datatype: 'UINT64', shape: ['1'], contents: { uint64_contents: ['18446744073709551615'] } },
        { name: 'b', datatype: 'BOOL', shape: ['2'], contents: { bool_contents: [true, false] } },
        { name: 's', datatype: 'BYTES', shape: ['1'], contents: { bytes_contents: [new TextEncoder().encode('é')] } },
        { name: 'f', datatype: 'FP64', shape: ['1'], contents: { fp64_contents: [0.1] } },
      ],
      outputs: [{ name: 'o', parameters: { binary_data: { parameter_choice: 'bool_param', bool_param: true } } }],
    };
    const { request, inputs, raw } = inferRequestFromGrpc(message);
    expect(inputs.get('i')?.data).toEqual(BigInt64Array.of(-(2n ** 63n), 9007199254740993n));
    expect(inputs.get('u')?.data).toEqual(BigUint64Array.of(2n ** 64n - 1n));
    expect(inputs.get('b')?.data).toEqual(Uint8Array.of(1, 0));
    expect(inputs.get('s')?.data).toEqual(['é']);
    expect(inputs.get('f')?.data).toEqual(Float64Array.of(0.1));
    expect(request.outputs).toEqual([{ name: 'o', parameters: { binary_data: true } }]);
    expect(raw).toBe(false);
  });

  it('answers raw when binary_data_output says so, whatever the inputs used', () => {
    const base = { model_name: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: ['1'], contents: { fp32_contents: [1] } }] };
    const yes = { binary_data_output: { parameter_choice: 'bool_param' as const, bool_param: true } };
    expect(inferRequestFromGrpc({ ...base, parameters: yes }).raw).toBe(true);
    const no = { binary_data_output: { parameter_choice: 'bool_param' as const, bool_param: false } };
    expect(inferRequestFromGrpc({ ...base, raw_input_contents: [fp32Raw([1])], inputs: [{ ...base.inputs[0]!, contents: null }], parameters: no }).raw).toBe(false);
  });

  it('refuses what does not add up, with a code and the input named', () => {
    const input = { name: 'x', datatype: 'FP32', shape: ['2'] };
    const refuse = (m: GrpcInferRequest, code: string, message: RegExp): void => {
      expect(() => inferRequestFromGrpc(m)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
    };
    refuse({ inputs: [{ ...input, contents: { fp32_contents: [1] } }] }, 'IM_INVALID_INPUT', /input 'x': fp32_contents has 1 elements, shape \[2\] needs 2/);
    refuse({ inputs: [{ ...input, contents: { int_contents: [1, 2] } }] }, 'IM_INVALID_INPUT', /FP32 data goes in fp32_contents, not int_contents/);
    refuse({ inputs: [{ ...input, contents: null }] }, 'IM_INVALID_INPUT', /neither contents nor raw_input_contents/);
    refuse({ inputs: [input, input], raw_input_contents: [fp32Raw([1, 2])] }, 'IM_BAD_REQUEST', /1 entries for 2 inputs/);
    refuse({ inputs: [{ ...input, contents: { fp32_contents: [1, 2] } }], raw_input_contents: [fp32Raw([1, 2])] }, 'IM_INVALID_INPUT', /one or the other/);
    refuse({ inputs: [input], raw_input_contents: [new Uint8Array(7)] }, 'IM_INVALID_INPUT', /7 bytes, FP32 \[2\] needs 8/);
    refuse({ inputs: [{ ...input, datatype: 'FP33' }] }, 'IM_BAD_REQUEST', /inputs\.0\.datatype/);
    refuse({ inputs: [] }, 'IM_BAD_REQUEST', /inputs/);
    refuse({ inputs: [{ name: 'i8', datatype: 'INT8', shape: ['1'], contents: { int_contents: [200] } }] }, 'IM_INVALID_INPUT', /element 0 \(200\) is not a INT8 value/);
    refuse({ inputs: [{ name: 'h', datatype: 'FP16', shape: ['1'], contents: { fp32_contents: [1] } }] }, 'IM_INVALID_INPUT', /FP16 has no typed contents/);
    refuse({ inputs: [{ name: 's', datatype: 'BYTES', shape: ['1'], contents: { bytes_contents: [Uint8Array.of(0xff)] } }] }, 'IM_INVALID_INPUT', /not valid UTF-8/);
    refuse({ inputs: [{ ...input, contents: { fp32_contents: [1, 2] } }], parameters: { big: { parameter_choice: 'int64_param', int64_param: '9007199254740993' } } }, 'IM_BAD_REQUEST', /request parameter 'big'/);
  });
});

describe('ModelInfer response to gRPC', () => {
  const answer = {
    model_name: 'm', model_version: '2', id: 'r',
    parameters: { infermesh_worker: 'w-1', infermesh_shard: 3, ratio: 0.5, hit: true },
    outputs: {
      probs: { datatype: 'FP32' as const, shape: [1, 2], data: Float32Array.of(0.25, 0.75) },
      label: { datatype: 'BYTES' as const, shape: [1], data: ['positive'] },
    },
  };

  it('writes every output raw, in the order of outputs, with parameters by type', () => {
    const m = inferResponseToGrpc(answer, { raw: true });
    expect(m.outputs.map((o) => [o.name, o.datatype, o.shape, o.contents])).toEqual([['probs', 'FP32', [1, 2], undefined], ['label', 'BYTES', [1], undefined]]);
    expect(m.raw_output_contents).toEqual([fp32Raw([0.25, 0.75]), Uint8Array.of(8, 0, 0, 0, ...new TextEncoder().encode('positive'))]);
    expect(m.parameters).toEqual({ infermesh_worker: { string_param: 'w-1' }, infermesh_shard: { int64_param: 3 }, ratio: { double_param: 0.5 }, hit: { bool_param: true } });
    expect([m.model_name, m.model_version, m.id]).toEqual(['m', '2', 'r']);
  });

  it('writes typed contents when not raw, and raw anyway when an output is FP16', () => {
    const m = inferResponseToGrpc(answer, { raw: false });
    expect(m.raw_output_contents).toEqual([]);
    expect(m.outputs[0]?.contents).toEqual({ fp32_contents: [0.25, 0.75] });
    expect(m.outputs[1]?.contents).toEqual({ bytes_contents: [new TextEncoder().encode('positive')] });
    const half = inferResponseToGrpc({ ...answer, outputs: { ...answer.outputs, h: { datatype: 'FP16', shape: [1], data: Uint16Array.of(0x3c00) } } }, { raw: false });
    expect(half.raw_output_contents).toHaveLength(3);
    expect(half.outputs.every((o) => o.contents === undefined)).toBe(true);
  });

  it('round-trips every datatype with typed contents', () => {
    const tensors: Tensor[] = [
      { datatype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) },
      { datatype: 'UINT8', shape: [1], data: Uint8Array.of(255) },
      { datatype: 'INT16', shape: [1], data: Int16Array.of(-32768) },
      { datatype: 'UINT32', shape: [1], data: Uint32Array.of(4294967295) },
      { datatype: 'INT64', shape: [1], data: BigInt64Array.of(-5n) },
      { datatype: 'UINT64', shape: [1], data: BigUint64Array.of(2n ** 64n - 1n) },
      { datatype: 'FP32', shape: [1], data: Float32Array.of(Number.NaN) },
      { datatype: 'FP64', shape: [1], data: Float64Array.of(-Infinity) },
      { datatype: 'BYTES', shape: [1], data: ['ok'] },
    ];
    for (const t of tensors) expect(tensorFromContents('t', t.datatype, t.shape, tensorToContents(t))).toEqual(t);
    expect(() => tensorToContents({ datatype: 'FP16', shape: [1], data: Uint16Array.of(0) })).toThrow(TypeError);
  });
});

describe('parameters', () => {
  it('maps every InferParameter choice to a JSON value and back', () => {
    expect(parametersFromGrpc({
      b: { parameter_choice: 'bool_param', bool_param: false },
      i: { parameter_choice: 'int64_param', int64_param: '-7' },
      s: { parameter_choice: 'string_param', string_param: 'k' },
      d: { parameter_choice: 'double_param', double_param: 1.25 },
      u: { parameter_choice: 'uint64_param', uint64_param: '9' },
    }, 'request')).toEqual({ b: false, i: -7, s: 'k', d: 1.25, u: 9 });
    expect(parametersFromGrpc({}, 'request')).toBeUndefined();
    expect(() => parametersFromGrpc({ x: {} }, 'request')).toThrow(/request parameter 'x' has no value/);
    expect(parametersToGrpc({ a: 1, b: 'x' })).toEqual({ a: { int64_param: 1 }, b: { string_param: 'x' } });
  });
});
