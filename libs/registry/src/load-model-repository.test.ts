import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModelRepository, placeableModels, repositoryModelNames } from './load-model-repository.js';
import { RegistryError } from './errors.js';

const MANIFEST = `name: NAME
platform: onnx
description: test model
inputs:
  - { name: input, datatype: FP32, shape: [-1, 4] }
outputs:
  - { name: output, datatype: FP32, shape: [-1, 2] }
batching:
  maxBatchSize: 8
`;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'im-registry-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function model(name: string, opts: { manifest?: string | null; versions?: string[]; file?: string } = {}) {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  if (opts.manifest !== null) {
    await writeFile(join(dir, 'manifest.yaml'), (opts.manifest ?? MANIFEST).replace('NAME', name));
  }
  for (const v of opts.versions ?? ['1']) {
    await mkdir(join(dir, v), { recursive: true });
    if (opts.file !== '') await writeFile(join(dir, v, opts.file ?? 'model.onnx'), 'x');
  }
  return dir;
}

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected a RegistryError');
}

describe('loadModelRepository', () => {
  it('loads every model, the latest version by default, with absolute paths', async () => {
    await model('b', { versions: ['1', '2', '10'] });
    await model('a');
    await mkdir(join(root, '.hidden'));
    await writeFile(join(root, 'README.md'), 'ignored');
    const models = await loadModelRepository(root);
    expect(models.map((m) => `${m.spec.name}@${m.spec.version}`)).toEqual(['a@1', 'b@10']);
    const b = models[1];
    expect(b?.dir).toBe(join(root, 'b', '10'));
    expect(b?.file).toBe(join(root, 'b', '10', 'model.onnx'));
    expect(b?.spec.batching.maxBatchSize).toBe(8);
    expect(b?.spec).not.toHaveProperty('file');
    expect(b?.spec).not.toHaveProperty('versionPolicy');
  });

  it('honours versionPolicy all, latest n and specific, and the file option', async () => {
    await model('all', { manifest: `${MANIFEST}versionPolicy: { all: true }\n`, versions: ['1', '2', 'notes'] });
    await model('two', { manifest: `${MANIFEST}versionPolicy: { latest: 2 }\n`, versions: ['1', '2', '3'] });
    await model('spec', { manifest: `${MANIFEST}versionPolicy: { specific: [1, 3] }\nfile: m.mjs\n`, versions: ['1', '2', '3'], file: 'm.mjs' });
    const got = (await loadModelRepository(root)).map((m) => `${m.spec.name}@${m.spec.version}`);
    expect(got).toEqual(['all@1', 'all@2', 'spec@1', 'spec@3', 'two@2', 'two@3']);
  });

  it('loads only the requested models and refuses an unknown name', async () => {
    await model('a');
    await model('b');
    expect((await loadModelRepository(root, { models: ['b'] })).map((m) => m.spec.name)).toEqual(['b']);
    const e = await failure(loadModelRepository(root, { models: ['zzz'] }));
    expect(e.code).toBe('IM_REGISTRY_MODEL_NOT_FOUND');
  });

  it('reports a missing manifest with its path', async () => {
    await model('a', { manifest: null });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_MANIFEST_UNREADABLE');
    expect(e.message).toContain(join(root, 'a', 'manifest.yaml'));
  });

  it('reports invalid YAML with its path', async () => {
    await model('a', { manifest: 'name: a\ninputs: [unclosed\n' });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_INVALID_YAML');
    expect(e.message).toContain(join(root, 'a', 'manifest.yaml'));
  });

  it('reports schema errors with the file and the zod issue path', async () => {
    await model('a', { manifest: MANIFEST.replace('datatype: FP32, shape: [-1, 2]', 'datatype: FP33, shape: [-1, 2]') });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_INVALID_MANIFEST');
    expect(e).toMatchObject({ file: join(root, 'a', 'manifest.yaml') });
    expect(e.message).toContain('outputs.0.datatype');
  });

  it('refuses a manifest whose name differs from its folder', async () => {
    await model('a', { manifest: MANIFEST.replace('NAME', 'other') });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_INVALID_MANIFEST');
    expect(e.message).toContain('name:');
  });

  it('refuses a model file name with a folder in it', async () => {
    await model('a', { manifest: `${MANIFEST}file: ../escape.onnx\n` });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_INVALID_MANIFEST');
    expect(e.message).toContain('file');
  });

  it('reports a model without version folders', async () => {
    await model('a', { versions: [] });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_NO_VERSIONS');
  });

  it('reports a version folder without the model file', async () => {
    await model('a', { versions: ['1'], file: '' });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_MODEL_FILE_MISSING');
    expect(e.message).toContain(join(root, 'a', '1', 'model.onnx'));
  });

  it('reports a specific version that does not exist', async () => {
    await model('a', { manifest: `${MANIFEST}versionPolicy: { specific: [4] }\n` });
    const e = await failure(loadModelRepository(root));
    expect(e.code).toBe('IM_REGISTRY_VERSION_NOT_FOUND');
  });

  it('reports an unreadable repository folder', async () => {
    const e = await failure(loadModelRepository(join(root, 'missing')));
    expect(e.code).toBe('IM_REGISTRY_REPOSITORY_UNREADABLE');
  });
});

describe('repositoryModelNames', () => {
  it('lists the model folders without reading them (a broken manifest too), sorted, narrowed to the names given', async () => {
    await model('zeta');
    await model('alpha', { manifest: 'not: [valid' });
    await mkdir(join(root, '.hidden'));
    await writeFile(join(root, 'README.md'), 'x');
    expect(await repositoryModelNames(root)).toEqual(['alpha', 'zeta']);
    expect(await repositoryModelNames(root, { models: ['zeta', 'absent'] })).toEqual(['zeta']);
    await expect(repositoryModelNames(join(root, 'missing'))).rejects.toMatchObject({ code: 'IM_REGISTRY_REPOSITORY_UNREADABLE' });
  });
});

describe('placeableModels', () => {
  it('reads each model\'s replicas ask and sizes the files of its selected versions; a broken model is skipped and named', async () => {
    await model('asks', { manifest: `${MANIFEST}replicas: 2\nversionPolicy: { latest: 2 }\n`, versions: ['1', '2', '3'] });
    await writeFile(join(root, 'asks', '3', 'model.onnx'), 'xxxx');
    await model('plain');
    await model('broken', { manifest: 'not: [valid' });
    const skipped: string[] = [];
    const placeable = await placeableModels(root, { onSkipped: (name, error) => skipped.push(`${name} ${error.code}`) });
    // Versions 2 (1 byte) and 3 (4 bytes) are selected; version 1 is not.
    expect(placeable).toEqual([{ name: 'asks', replicas: 2, memoryBytes: 5 }, { name: 'plain', memoryBytes: 1 }]);
    expect(skipped).toEqual(['broken IM_REGISTRY_INVALID_YAML']);
    expect(await placeableModels(root, { models: ['plain'] })).toEqual([{ name: 'plain', memoryBytes: 1 }]);
  });

  it('keeps replicas out of the served spec, and refuses an ask below 1', async () => {
    await model('asks', { manifest: `${MANIFEST}replicas: 3\n` });
    const [loaded] = await loadModelRepository(root);
    expect(loaded?.spec).not.toHaveProperty('replicas');
    await model('zero', { manifest: `${MANIFEST}replicas: 0\n` });
    const error = await failure(loadModelRepository(root, { models: ['zero'] }));
    expect(error.code).toBe('IM_REGISTRY_INVALID_MANIFEST');
  });
});
