import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod/v4';
import { ModelNameSchema, type ModelSpec, type PlaceableModel } from '@infermesh/contracts';
import {
  InvalidManifestError,
  InvalidYamlError,
  ManifestUnreadableError,
  ModelFileMissingError,
  ModelNotFoundError,
  NoVersionsError,
  RegistryError,
  RepositoryUnreadableError,
  VersionNotFoundError,
} from './errors.js';
import { ModelManifestSchema, type ModelManifest, type VersionPolicy } from './model-manifest.js';
import { toRegistryIssues } from './zod-issues.js';

export const MANIFEST_FILE = 'manifest.yaml';

export const LoadModelRepositoryOptionsSchema = z.strictObject({
  /** Load only these models (folder names); an unknown name is an error. All models when absent. */
  models: z.array(ModelNameSchema).optional(),
});
export type LoadModelRepositoryOptions = z.input<typeof LoadModelRepositoryOptionsSchema>;

/** One servable version of one model found in a repository. */
export interface RepositoryModel {
  spec: ModelSpec;
  /** The version folder, absolute. */
  dir: string;
  /** The model file inside the version folder, absolute. */
  file: string;
}

const VERSION_FOLDER = /^[1-9][0-9]{0,8}$/;

/**
 * Reads a Triton-style model repository: `<dir>/<model>/manifest.yaml` and `<dir>/<model>/<N>/<file>`.
 * Returns every version the version policies select, sorted by model name then version number.
 * Folders whose name starts with `.` are skipped, as are plain files at the top level.
 */
export async function loadModelRepository(dir: string, options: LoadModelRepositoryOptions = {}): Promise<RepositoryModel[]> {
  const { models } = LoadModelRepositoryOptionsSchema.parse(options);
  const root = resolve(dir);
  let entries: string[];
  try {
    const dirents = await readdir(root, { withFileTypes: true });
    entries = dirents.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
  } catch (cause) {
    throw new RepositoryUnreadableError(root, { cause });
  }
  let names = entries.sort();
  if (models) {
    for (const name of models) if (!names.includes(name)) throw new ModelNotFoundError(name, root);
    names = [...new Set(models)].sort();
  }
  const loaded: RepositoryModel[] = [];
  for (const name of names) loaded.push(...(await readModelFolder(join(root, name), name)).versions);
  return loaded;
}

/**
 * The names of the models in a repository (its folders, `.`-folders skipped), sorted, without reading
 * them: what a worker can load on request. `models` narrows it to those names.
 */
export async function repositoryModelNames(dir: string, options: LoadModelRepositoryOptions = {}): Promise<string[]> {
  const { models } = LoadModelRepositoryOptionsSchema.parse(options);
  const root = resolve(dir);
  let names: string[];
  try {
    const dirents = await readdir(root, { withFileTypes: true });
    names = dirents.filter((d) => d.isDirectory() && !d.name.startsWith('.') && ModelNameSchema.safeParse(d.name).success).map((d) => d.name);
  } catch (cause) {
    throw new RepositoryUnreadableError(root, { cause });
  }
  return (models ? names.filter((n) => models.includes(n)) : names).sort();
}

/** Reads and validates one `manifest.yaml`; `name` must equal the folder's name. */
export async function readModelManifest(modelDir: string, folderName: string): Promise<ModelManifest> {
  const file = join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ManifestUnreadableError(file, { cause });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (cause) {
    const detail = cause instanceof YAMLParseError || cause instanceof Error ? cause.message : String(cause);
    throw new InvalidYamlError(file, detail, { cause });
  }
  const parsed = ModelManifestSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InvalidManifestError(file, toRegistryIssues(parsed.error), { cause: parsed.error });
  if (parsed.data.name !== folderName) {
    throw new InvalidManifestError(file, [
      { path: ['name'], message: `"${parsed.data.name}" does not match its folder "${folderName}"` },
    ]);
  }
  return parsed.data;
}

/**
 * What placing each model of a repository needs (`PlaceableModel`): its manifest's `replicas` and its
 * memory estimate, the size of the model files of the versions its policy selects (0 for a pipeline, which
 * runs other models). A model whose folder fails to load is left out and handed to `onSkipped`, so one bad
 * manifest does not hide the others. Sorted by name; `options.models` narrows it as `repositoryModelNames` does.
 */
export async function placeableModels(
  dir: string,
  options: LoadModelRepositoryOptions & { onSkipped?: (name: string, error: RegistryError) => void } = {},
): Promise<PlaceableModel[]> {
  const { onSkipped, ...narrow } = options;
  const root = resolve(dir);
  const placeable: PlaceableModel[] = [];
  for (const name of await repositoryModelNames(root, narrow)) {
    try {
      const { manifest, versions } = await readModelFolder(join(root, name), name);
      let memoryBytes = 0;
      if (manifest.platform !== 'pipeline') for (const v of versions) memoryBytes += (await stat(v.file)).size;
      placeable.push({ name, memoryBytes, ...(manifest.replicas !== undefined ? { replicas: manifest.replicas } : {}) });
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      onSkipped?.(name, error);
    }
  }
  return placeable;
}

/** A model folder's manifest and the versions its policy selects, each file checked. */
async function readModelFolder(modelDir: string, name: string): Promise<{ manifest: ModelManifest; versions: RepositoryModel[] }> {
  const manifest = await readModelManifest(modelDir, name);
  const dirents = await readdir(modelDir, { withFileTypes: true });
  const available = dirents
    .filter((d) => d.isDirectory() && VERSION_FOLDER.test(d.name))
    .map((d) => Number(d.name))
    .sort((a, b) => a - b);
  if (available.length === 0) throw new NoVersionsError(modelDir);
  const selected = selectVersions(manifest.versionPolicy, available, name, modelDir);
  const { file: fileName, versionPolicy: _policy, replicas: _replicas, ...specFields } = manifest;
  const result: RepositoryModel[] = [];
  for (const v of selected) {
    const versionDir = join(modelDir, String(v));
    const file = join(versionDir, fileName);
    // A pipeline runs other models: its version folder holds no model file.
    try {
      const s = await stat(specFields.platform === 'pipeline' ? versionDir : file);
      if (specFields.platform !== 'pipeline' && !s.isFile()) throw new Error('not a regular file');
    } catch (cause) {
      throw new ModelFileMissingError(file, { cause });
    }
    result.push({ spec: { ...specFields, version: String(v) }, dir: versionDir, file });
  }
  return { manifest, versions: result };
}

function selectVersions(policy: VersionPolicy, available: number[], name: string, modelDir: string): number[] {
  if ('all' in policy) return available;
  if ('latest' in policy) return available.slice(-policy.latest);
  const wanted = [...new Set(policy.specific)].sort((a, b) => a - b);
  for (const v of wanted) {
    if (!available.includes(v)) throw new VersionNotFoundError(name, String(v), available.map(String), modelDir);
  }
  return wanted;
}
