import { access, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Document, isMap, isSeq } from 'yaml';
import { z } from 'zod/v4';
import { MANIFEST_FILE, ModelManifestSchema, type ModelManifestInput } from '@infermesh/registry';
import { buildMlpOnnx, DEFAULT_MLP_DIMS, mlpManifest, mlpWeights } from './mlp.js';
import { NOOP_MODULE_SOURCE, noopManifest } from './noop.js';
import { OCR_FILES, ocrDetectorManifest, ocrFile, ocrPipelineManifest, ocrRecognizerManifest } from './ocr.js';
import { buildSentimentOnnx, sentimentManifest, sentimentVocabulary } from './sentiment.js';

export const MODEL_NAMES = ['sentiment', 'mlp', 'noop', 'ocr-det', 'ocr-rec', 'ocr'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export const WriteModelRepositoryOptionsSchema = z.strictObject({
  /** The repository folder; created if absent. */
  out: z.string().min(1),
  /** Layer widths of the MLP, input first. */
  mlpDims: z.array(z.int().min(1).max(65_536)).min(2).default([...DEFAULT_MLP_DIMS]),
  /** Seed of the MLP's weights. */
  seed: z.int().default(42),
  /** Rewrite models that are already present. */
  force: z.boolean().default(false),
  /** Which models to write. */
  models: z.array(z.enum(MODEL_NAMES)).default([...MODEL_NAMES]),
});
export type WriteModelRepositoryOptions = z.input<typeof WriteModelRepositoryOptionsSchema>;

export interface WrittenModel {
  name: ModelName;
  status: 'written' | 'skipped';
  /** Files written, absolute; empty when skipped. */
  files: string[];
}

interface ModelFiles {
  manifest: ModelManifestInput;
  /** File name in the version folder → content. */
  files: Record<string, Uint8Array | string>;
}

function build(name: ModelName, o: z.infer<typeof WriteModelRepositoryOptionsSchema>): ModelFiles {
  switch (name) {
    case 'sentiment': {
      const vocab = sentimentVocabulary();
      return {
        manifest: sentimentManifest(vocab.terms.length),
        files: { 'model.onnx': buildSentimentOnnx(vocab.scores), 'vocab.json': `${JSON.stringify(vocab.terms)}\n` },
      };
    }
    case 'mlp':
      return {
        manifest: mlpManifest(o.mlpDims, o.seed),
        files: { 'model.onnx': buildMlpOnnx(mlpWeights({ dims: o.mlpDims, seed: o.seed })) },
      };
    case 'noop':
      return { manifest: noopManifest(), files: { 'model.mjs': NOOP_MODULE_SOURCE } };
    case 'ocr-det':
      return { manifest: ocrDetectorManifest(), files: { 'model.onnx': ocrFile(OCR_FILES.detector) } };
    case 'ocr-rec':
      return {
        manifest: ocrRecognizerManifest(),
        files: { 'model.onnx': ocrFile(OCR_FILES.recognizer), [OCR_FILES.characters]: ocrFile(OCR_FILES.characters) },
      };
    case 'ocr':
      return { manifest: ocrPipelineManifest(), files: {} };
  }
}

/** A model's manifest alone, without reading or building its files (the OCR files are 15 MB). */
function manifestOf(name: ModelName, o: z.infer<typeof WriteModelRepositoryOptionsSchema>): ModelManifestInput {
  switch (name) {
    case 'ocr-det': return ocrDetectorManifest();
    case 'ocr-rec': return ocrRecognizerManifest();
    case 'ocr': return ocrPipelineManifest();
    default: return build(name, o).manifest;
  }
}

/** Tensor specs, batching and step options on one line each: the manifest reads like a table. */
function manifestYaml(manifest: ModelManifestInput): string {
  const doc = new Document(manifest);
  for (const key of ['inputs', 'outputs']) {
    const seq = doc.get(key);
    if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  const batching = doc.get('batching');
  if (isMap(batching)) batching.flow = true;
  for (const key of ['preprocess', 'postprocess']) {
    const seq = doc.get(key);
    if (isSeq(seq)) {
      for (const step of seq.items) {
        const options = isMap(step) ? step.get('options') : undefined;
        if (isMap(options)) options.flow = true;
      }
    }
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/**
 * Writes the demo models as a model repository: `<out>/<name>/manifest.yaml` and
 * `<out>/<name>/1/<files>`. A model whose manifest and version-1 model file exist is skipped
 * unless `force`.
 */
export async function writeModelRepository(options: WriteModelRepositoryOptions): Promise<WrittenModel[]> {
  const o = WriteModelRepositoryOptionsSchema.parse(options);
  const out = resolve(o.out);
  const results: WrittenModel[] = [];
  for (const name of o.models) {
    const modelDir = join(out, name);
    const versionDir = join(modelDir, '1');
    const manifest = manifestOf(name, o);
    const parsed = ModelManifestSchema.parse(manifest);
    // A pipeline's version folder holds no model file.
    const complete = join(versionDir, parsed.platform === 'pipeline' ? '' : parsed.file);
    if (!o.force && (await exists(join(modelDir, MANIFEST_FILE))) && (await exists(complete))) {
      results.push({ name, status: 'skipped', files: [] });
      continue;
    }
    const { files } = build(name, o);
    await mkdir(versionDir, { recursive: true });
    const written: string[] = [];
    for (const [file, content] of Object.entries(files)) {
      await writeFile(join(versionDir, file), content);
      written.push(join(versionDir, file));
    }
    // Written last: a model folder with a manifest is a complete one.
    await writeFile(join(modelDir, MANIFEST_FILE), manifestYaml(manifest));
    written.push(join(modelDir, MANIFEST_FILE));
    results.push({ name, status: 'written', files: written });
  }
  return results;
}

/**
 * Where `infermesh-models` and `infermesh-worker --demo-models` write the demo models when given no folder:
 * `$XDG_CACHE_HOME/infermesh/models`, else `~/.cache/infermesh/models`.
 */
export function defaultModelCache(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(cache, 'infermesh', 'models');
}
