import { describe, expect, it } from 'vitest';
import type { ModelSpecInput } from '@infermesh/contracts';
import { ModelRegistry } from './model-registry.js';
import { ConflictError, InvalidSpecError, ModelNotFoundError, StageMismatchError, VersionNotFoundError } from './errors.js';
import type { RegistryChange } from './model-registry.js';

const spec = (version: string, extra: Partial<ModelSpecInput> = {}): ModelSpecInput => ({
  name: 'mlp',
  version,
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
  outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 2] }],
  ...extra,
});

describe('ModelRegistry', () => {
  it('registers with defaults applied and looks up by name and version', () => {
    const r = new ModelRegistry();
    const s = r.register(spec('1'));
    expect(s.platform).toBe('onnx');
    expect(s.batching.maxBatchSize).toBe(64);
    expect(r.get('mlp', '1')).toBe(s);
    expect(r.has('mlp')).toBe(true);
    expect(r.has('mlp', '1')).toBe(true);
    expect(r.has('mlp', '2')).toBe(false);
    expect(r.has('other')).toBe(false);
  });

  it('get without a version returns the highest numeric version, not the lexically last', () => {
    const r = new ModelRegistry();
    r.register(spec('9'));
    r.register(spec('10'));
    r.register(spec('2'));
    expect(r.get('mlp').version).toBe('10');
    expect(r.versions('mlp')).toEqual(['2', '9', '10']);
  });

  it('distinguishes an unknown model from an unknown version', () => {
    const r = new ModelRegistry();
    r.register(spec('1'));
    expect(() => r.get('nope')).toThrow(ModelNotFoundError);
    const err = (() => {
      try {
        r.get('mlp', '3');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(VersionNotFoundError);
    expect(err).toMatchObject({ code: 'IM_REGISTRY_VERSION_NOT_FOUND', model: 'mlp', version: '3' });
  });

  it('re-registering identical content is a no-op; different content conflicts', () => {
    const r = new ModelRegistry();
    const events: RegistryChange[] = [];
    r.on('change', (c) => events.push(c));
    const a = r.register(spec('1', { labels: { a: '1', b: '2' } }));
    const b = r.register(spec('1', { labels: { b: '2', a: '1' } }));
    expect(b).toBe(a);
    expect(events).toHaveLength(1);
    expect(() => r.register(spec('1', { description: 'changed' }))).toThrow(ConflictError);
    expect(r.get('mlp', '1').description).toBe('');
  });

  it('rejects an invalid spec with the zod issue path', () => {
    const r = new ModelRegistry();
    try {
      r.register({ ...spec('1'), version: 'v1' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidSpecError);
      expect((e as InvalidSpecError).issues[0]?.path).toEqual(['version']);
      expect((e as InvalidSpecError).code).toBe('IM_REGISTRY_INVALID_SPEC');
    }
  });

  it('unregisters, lists in order and emits change events', () => {
    const r = new ModelRegistry();
    const events: string[] = [];
    const off = r.on('change', (c) => events.push(`${c.type}:${c.spec.name}@${c.spec.version}`));
    r.register(spec('2'));
    r.register({ ...spec('1'), name: 'alpha' });
    r.register(spec('1'));
    expect(r.list().map((s) => `${s.name}@${s.version}`)).toEqual(['alpha@1', 'mlp@1', 'mlp@2']);
    expect(r.unregister('mlp', '2')).toBe(true);
    expect(r.unregister('mlp', '2')).toBe(false);
    expect(r.unregister('alpha', '1')).toBe(true);
    expect(r.has('alpha')).toBe(false);
    expect(() => r.get('alpha')).toThrow(ModelNotFoundError);
    off();
    r.register(spec('5'));
    expect(events).toEqual(['added:mlp@2', 'added:alpha@1', 'added:mlp@1', 'removed:mlp@2', 'removed:alpha@1']);
  });

  it('freezes stored specs so a caller cannot corrupt the registry', () => {
    const r = new ModelRegistry();
    const s = r.register(spec('1'));
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.inputs[0])).toBe(true);
  });

  describe('registerStages', () => {
    const text = { name: 'text', datatype: 'BYTES' as const, shape: [-1] };
    const bow = (v: number) => ({ name: 'bow', datatype: 'FP32' as const, shape: [-1, v] });
    const probs = { name: 'probabilities', datatype: 'FP32' as const, shape: [-1, 3] };
    const label = { name: 'label', datatype: 'BYTES' as const, shape: [-1] };
    const processor = (v: number) => ({
      preprocess: { inputs: [text], outputs: [bow(v)] },
      postprocess: { inputs: [probs], outputs: [label] },
    });
    const modelWorker = { model: { inputs: [bow(8)], outputs: [probs] } };

    it('merges the stages of model workers and processors that chain', () => {
      const r = new ModelRegistry();
      r.register(spec('1'));
      r.registerStages('mlp', '1', modelWorker);
      const merged = r.registerStages('mlp', '1', processor(8));
      expect(Object.keys(merged).sort()).toEqual(['model', 'postprocess', 'preprocess']);
      expect(r.stages('mlp', '1')).toEqual(merged);
      expect(r.registerStages('mlp', '1', processor(8))).toEqual(merged);
    });

    it('refuses a processor whose pre-processing does not hand on what the session takes, recording nothing', () => {
      const r = new ModelRegistry();
      r.register(spec('1'));
      r.registerStages('mlp', '1', modelWorker);
      let error: unknown;
      try {
        r.registerStages('mlp', '1', processor(9));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(StageMismatchError);
      expect(error).toMatchObject({ code: 'IM_REGISTRY_STAGE_MISMATCH', model: 'mlp', version: '1', stage: 'model' });
      expect((error as Error).message).toMatch(/session input 'bow' FP32 \[-1, 8\] does not fit 'bow' FP32 \[-1, 9\]/);
      expect(r.stages('mlp', '1')).toEqual(modelWorker);
    });

    it('refuses a stage that differs from the one registered, and a session that does not answer what post-processing reads', () => {
      const r = new ModelRegistry();
      r.register(spec('1'));
      r.registerStages('mlp', '1', processor(8));
      expect(() => r.registerStages('mlp', '1', { preprocess: { inputs: [text], outputs: [bow(8), label] } })).toThrow(/stage preprocess: differs/);
      expect(() => r.registerStages('mlp', '1', { model: { inputs: [bow(8)], outputs: [label] } })).toThrow(
        /stage postprocess: post-processing input 'probabilities' FP32 \[-1, 3\] is not among model's outputs/,
      );
    });

    it('needs the model registered first, and forgets the stages when the version is unregistered', () => {
      const r = new ModelRegistry();
      expect(() => r.registerStages('mlp', '1', modelWorker)).toThrow(ModelNotFoundError);
      r.register(spec('1'));
      r.registerStages('mlp', '1', modelWorker);
      r.unregister('mlp', '1');
      r.register(spec('1'));
      expect(r.stages('mlp', '1')).toEqual({});
    });
  });
});

describe('ModelRegistry: pipeline models', () => {
  const io = { inputs: [{ name: 'image', datatype: 'BYTES' as const, shape: [1] }], outputs: [{ name: 'text', datatype: 'BYTES' as const, shape: [-1] }] };
  const stage = { model: 'ocr-det', inputs: { image: 'image' }, outputs: { text: 'text' } };

  it('holds a pipeline with its stages', () => {
    const spec = new ModelRegistry().register({ name: 'ocr', version: '1', platform: 'pipeline', ...io, pipeline: [stage] });
    expect(spec.pipeline).toEqual([stage]);
  });

  it('refuses a pipeline without stages, and stages on a model of another platform', () => {
    const r = new ModelRegistry();
    expect(() => r.register({ name: 'ocr', version: '1', platform: 'pipeline', ...io })).toThrow(InvalidSpecError);
    expect(() => r.register({ name: 'ocr', version: '1', platform: 'onnx', ...io, pipeline: [stage] })).toThrow(/a pipeline model/);
  });
});
