import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelSpecSchema, TYPED_ARRAY_OF, type ModelSpec, type Tensor } from '@infermesh/contracts';
import { addBiasModel, identityModel, type OnnxTypeName } from '../tests/onnx-fixtures.js';
import { OnnxRuntime, OnnxRuntimeOptionsSchema } from './onnx-runtime.js';
import { RuntimeError } from './errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'im-runtime-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec = (name: string, platform: 'onnx' | 'js' = 'onnx'): ModelSpec =>
  ModelSpecSchema.parse({
    name,
    version: '1',
    platform,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }],
  });

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const file = join(dir, `${name}.onnx`);
  await writeFile(file, bytes);
  return file;
}

async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RuntimeError) return e;
    throw e;
  }
  throw new Error('expected a RuntimeError');
}

const fp32 = (rows: number, values: number[]): Tensor => ({ datatype: 'FP32', shape: [rows, 3], data: new Float32Array(values) });

describe('OnnxRuntime', () => {
  it('parses its options with defaults and refuses bad ones', () => {
    expect(OnnxRuntimeOptionsSchema.parse({})).toEqual({ intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    expect(() => new OnnxRuntime({ intraOpNumThreads: 0 })).toThrow();
    expect(new OnnxRuntime().platform).toBe('onnx');
  });

  it('loads a real ONNX file, reports its tensors and runs a whole batch', async () => {
    const file = await write('add', addBiasModel([1, 2, 3]));
    const model = await new OnnxRuntime().load({ spec: spec('add'), file });
    expect(model.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 3] }]);
    expect(model.outputs).toEqual([{ name: 'y', datatype: 'FP32', shape: [-1, 3] }]);
    const out = await model.run({ x: fp32(2, [0, 0, 0, 10, 20, 30]) });
    expect(out.y?.shape).toEqual([2, 3]);
    expect(Array.from(out.y?.data as Float32Array)).toEqual([1, 2, 3, 11, 22, 33]);
    await model.close();
    await model.close();
    expect((await rejection(model.run({ x: fp32(1, [0, 0, 0]) }))).code).toBe('IM_RUNTIME_CLOSED');
  });

  it('converts every supported datatype both ways', async () => {
    const types = ['FP32', 'FP64', 'INT32', 'INT64', 'UINT8', 'BOOL', 'INT8', 'INT16', 'UINT16', 'UINT32', 'UINT64'] as const;
    const file = await write('identity', identityModel([...types]));
    const model = await new OnnxRuntime().load({ spec: spec('identity'), file });
    const inputs: Record<string, Tensor> = {};
    for (const t of types) {
      const Ctor = TYPED_ARRAY_OF[t];
      const values = t === 'BOOL' ? [1, 0, 0, 1] : [1, 2, 3, 4];
      const data = Ctor === BigInt64Array || Ctor === BigUint64Array ? new Ctor(values.map(BigInt)) : new (Ctor as Float32ArrayConstructor)(values);
      inputs[`in_${t}`] = { datatype: t, shape: [2, 2], data };
    }
    expect(model.inputs.map((i) => i.datatype)).toEqual(types);
    const out = await model.run(inputs);
    for (const t of types) {
      const got = out[`out_${t}`];
      expect(got?.datatype).toBe(t);
      expect(got?.data).toBeInstanceOf(TYPED_ARRAY_OF[t]);
      expect(got?.data).toEqual(inputs[`in_${t}`]?.data);
    }
    await model.close();
  });

  it.each([['FP16'], ['BYTES']] as const)('refuses a model with a %s tensor at load', async (t) => {
    const file = await write(`id-${t}`, identityModel([t]));
    const e = await rejection(new OnnxRuntime().load({ spec: spec('x'), file }));
    expect(e.code).toBe('IM_RUNTIME_UNSUPPORTED_DATATYPE');
    expect(e.message).toContain(t);
  });

  it('refuses FP16 and BYTES input tensors at run', async () => {
    const file = await write('add2', addBiasModel([0, 0, 0]));
    const model = await new OnnxRuntime().load({ spec: spec('add'), file });
    const bytes = await rejection(model.run({ x: { datatype: 'BYTES', shape: [1, 3], data: ['a', 'b', 'c'] } }));
    expect(bytes.code).toBe('IM_RUNTIME_UNSUPPORTED_DATATYPE');
    const half = await rejection(model.run({ x: { datatype: 'FP16', shape: [1, 3], data: new Uint16Array(3) } }));
    expect(half.code).toBe('IM_RUNTIME_UNSUPPORTED_DATATYPE');
    await model.close();
  });

  it('checks inputs before running: missing, extra, shape, datatype, element count', async () => {
    const file = await write('add3', addBiasModel([0, 0, 0]));
    const model = await new OnnxRuntime().load({ spec: spec('add'), file });
    expect((await rejection(model.run({}))).code).toBe('IM_RUNTIME_BAD_INPUT');
    expect((await rejection(model.run({ x: fp32(1, [1, 2, 3]), z: fp32(1, [1, 2, 3]) }))).code).toBe('IM_RUNTIME_BAD_INPUT');
    expect((await rejection(model.run({ x: { datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) } }))).code).toBe(
      'IM_RUNTIME_SHAPE_MISMATCH',
    );
    expect((await rejection(model.run({ x: { datatype: 'FP64', shape: [1, 3], data: new Float64Array(3) } }))).code).toBe(
      'IM_RUNTIME_DATATYPE_MISMATCH',
    );
    expect((await rejection(model.run({ x: fp32(2, [1, 2, 3]) }))).code).toBe('IM_RUNTIME_BAD_INPUT');
    await model.close();
  });

  it('rejects an aborted run', async () => {
    const file = await write('add4', addBiasModel([0, 0, 0]));
    const model = await new OnnxRuntime().load({ spec: spec('add'), file });
    const ac = new AbortController();
    ac.abort(new Error('client went away'));
    expect((await rejection(model.run({ x: fp32(1, [1, 2, 3]) }, { signal: ac.signal }))).code).toBe('IM_RUNTIME_ABORTED');
    await model.close();
  });

  it('reports a file that is not ONNX, and a spec for another platform', async () => {
    const file = join(dir, 'garbage.onnx');
    await writeFile(file, 'not a model');
    const e = await rejection(new OnnxRuntime().load({ spec: spec('g'), file }));
    expect(e.code).toBe('IM_RUNTIME_LOAD_FAILED');
    expect(e.message).toContain(file);
    expect((await rejection(new OnnxRuntime().load({ spec: spec('g', 'js'), file }))).code).toBe('IM_RUNTIME_PLATFORM_MISMATCH');
  });
});
