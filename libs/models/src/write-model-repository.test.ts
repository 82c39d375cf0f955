import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadModelRepository, ModelManifestSchema, ModelRegistry } from '@infermesh/registry';
import { OCR_FILES, ocrFile } from './ocr.js';
import { defaultModelCache, writeModelRepository } from './write-model-repository.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'im-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeModelRepository', () => {
  it('writes a repository the registry loads, then skips it unless forced', async () => {
    const first = await writeModelRepository({ out: dir, mlpDims: [8, 4], seed: 1 });
    expect(first.map((r) => [r.name, r.status])).toEqual([
      ['sentiment', 'written'],
      ['mlp', 'written'],
      ['noop', 'written'],
      ['ocr-det', 'written'],
      ['ocr-rec', 'written'],
      ['ocr', 'written'],
    ]);
    const models = await loadModelRepository(dir);
    expect(models.map((m) => `${m.spec.name}@${m.spec.version}:${m.spec.platform}`)).toEqual([
      'mlp@1:onnx',
      'noop@1:js',
      'ocr@1:pipeline',
      'ocr-det@1:onnx',
      'ocr-rec@1:onnx',
      'sentiment@1:onnx',
    ]);
    const registry = new ModelRegistry();
    for (const m of models) registry.register(m.spec);
    // The OCR networks are the package's files, byte for byte; the pipeline names its stages.
    expect((await stat(join(dir, 'ocr-rec', '1', 'model.onnx'))).size).toBe(ocrFile(OCR_FILES.recognizer).length);
    expect(registry.get('ocr').pipeline.map((s) => s.model)).toEqual(['ocr-det', 'ocr-rec']);
    expect(registry.get('ocr').rawBytesInputs).toEqual(['image']);
    expect(registry.get('mlp').inputs[0]?.shape).toEqual([-1, 8]);
    expect(registry.get('sentiment').postprocess[0]?.options.labels).toEqual(['negative', 'neutral', 'positive']);
    expect(registry.get('sentiment').batching).toMatchObject({ maxBatchSize: 64, maxDelayMs: 2 });

    const manifest = ModelManifestSchema.parse(parse(await readFile(join(dir, 'noop', 'manifest.yaml'), 'utf8')));
    expect(manifest.file).toBe('model.mjs');

    const onnxFile = join(dir, 'mlp', '1', 'model.onnx');
    const before = (await stat(onnxFile)).mtimeMs;
    const again = await writeModelRepository({ out: dir, mlpDims: [8, 4], seed: 1 });
    expect(again.every((r) => r.status === 'skipped' && r.files.length === 0)).toBe(true);
    expect((await stat(onnxFile)).mtimeMs).toBe(before);

    const forced = await writeModelRepository({ out: dir, models: ['mlp'], mlpDims: [8, 6, 4], force: true });
    expect(forced[0]?.status).toBe('written');
    expect((await loadModelRepository(dir, { models: ['mlp'] }))[0]?.spec.labels.dims).toBe('8,6,4');
  });

  it('refuses bad options', async () => {
    await expect(writeModelRepository({ out: dir, mlpDims: [8] })).rejects.toThrow();
  });
});

describe('defaultModelCache', () => {
  it('lives under XDG_CACHE_HOME when set, else ~/.cache', () => {
    expect(defaultModelCache({ XDG_CACHE_HOME: '/var/cache/x' })).toBe('/var/cache/x/infermesh/models');
    expect(defaultModelCache({})).toBe(join(homedir(), '.cache', 'infermesh', 'models'));
  });
});
