import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelSpecSchema, type ModelSpec, type Tensor } from '@infermesh/contracts';
import { JsRuntime } from './js-runtime.js';
import { RuntimeError } from './errors.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../tests/${name}`, import.meta.url));
const spec = (platform: 'js' | 'onnx' = 'js'): ModelSpec =>
  ModelSpecSchema.parse({
    name: 'echo',
    version: '1',
    platform,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
  });

async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RuntimeError) return e;
    throw e;
  }
  throw new Error('expected a RuntimeError');
}

const x = (rows: number): Tensor => ({ datatype: 'FP32', shape: [rows, 2], data: new Float32Array(rows * 2).fill(1.5) });

describe('JsRuntime', () => {
  it('imports a module and runs it, with the spec as its tensor metadata', async () => {
    const model = await new JsRuntime().load({ spec: spec(), file: fixture('echo-model.mjs') });
    expect(model.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 2] }]);
    const out = await model.run({ x: x(3) });
    expect(out.y?.shape).toEqual([3, 2]);
    expect(Array.from(out.y?.data as Float32Array)).toEqual([3, 3, 3, 3, 3, 3]);
    await model.close();
    expect((await rejection(model.run({ x: x(1) }))).code).toBe('IM_RUNTIME_CLOSED');
  });

  it('wraps an error thrown by the module', async () => {
    const model = await new JsRuntime().load({ spec: spec(), file: fixture('echo-model.mjs') });
    const e = await rejection(model.run({ x: x(13) }));
    expect(e.code).toBe('IM_RUNTIME_RUN_FAILED');
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('rejects at once when the signal fires during a run', async () => {
    const model = await new JsRuntime().load({ spec: spec(), file: fixture('echo-model.mjs') });
    const ac = new AbortController();
    const started = Date.now();
    const pending = rejection(model.run({ x: x(7) }, { signal: ac.signal }));
    setTimeout(() => ac.abort(new Error('deadline')), 10);
    const e = await pending;
    expect(e.code).toBe('IM_RUNTIME_ABORTED');
    // Well before the run's own 1 s: the abort, not the run, ended it (with room for a loaded machine).
    expect(Date.now() - started).toBeLessThan(600);
    // A signal that does not fire leaves the result alone.
    const out = await model.run({ x: x(7) }, { signal: new AbortController().signal });
    expect(out.y?.shape).toEqual([7, 2]);
  });

  it('checks inputs against the spec', async () => {
    const model = await new JsRuntime().load({ spec: spec(), file: fixture('echo-model.mjs') });
    expect((await rejection(model.run({ x: { datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) } }))).code).toBe(
      'IM_RUNTIME_SHAPE_MISMATCH',
    );
  });

  it('refuses a module without run(), a missing file and another platform', async () => {
    expect((await rejection(new JsRuntime().load({ spec: spec(), file: fixture('not-a-model.mjs') }))).code).toBe(
      'IM_RUNTIME_LOAD_FAILED',
    );
    expect((await rejection(new JsRuntime().load({ spec: spec(), file: fixture('missing.mjs') }))).code).toBe(
      'IM_RUNTIME_LOAD_FAILED',
    );
    expect((await rejection(new JsRuntime().load({ spec: spec('onnx'), file: fixture('echo-model.mjs') }))).code).toBe(
      'IM_RUNTIME_PLATFORM_MISMATCH',
    );
  });
});
