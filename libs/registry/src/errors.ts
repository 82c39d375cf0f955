import { createError, errorBase } from '@infermesh/foundation';

/** Every error code this library throws. The README documents each one; a test keeps them in sync. */
export const REGISTRY_ERROR_CODES = [
  'IM_REGISTRY_MODEL_NOT_FOUND',
  'IM_REGISTRY_VERSION_NOT_FOUND',
  'IM_REGISTRY_CONFLICT',
  'IM_REGISTRY_STAGE_MISMATCH',
  'IM_REGISTRY_INVALID_SPEC',
  'IM_REGISTRY_MANIFEST_UNREADABLE',
  'IM_REGISTRY_INVALID_YAML',
  'IM_REGISTRY_INVALID_MANIFEST',
  'IM_REGISTRY_NO_VERSIONS',
  'IM_REGISTRY_MODEL_FILE_MISSING',
  'IM_REGISTRY_REPOSITORY_UNREADABLE',
] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

/** One schema problem: where in the document (zod issue path) and what is wrong. */
export interface RegistryIssue {
  path: (string | number)[];
  message: string;
}

export class RegistryError extends errorBase<RegistryErrorCode>('RegistryError') {}

const inWhere = (where: string | undefined) => (where ? ` in ${where}` : '');
const causeText = (options: ErrorOptions | undefined) => (options?.cause instanceof Error ? `: ${options.cause.message}` : '');

/** No model of that name is registered (or, for a repository, no folder of that name exists). */
export class ModelNotFoundError extends RegistryError {
  readonly model: string;
  constructor(model: string, where?: string, options?: ErrorOptions) {
    super('IM_REGISTRY_MODEL_NOT_FOUND', `model "${model}" not found${inWhere(where)}`, options);
    this.name = 'ModelNotFoundError';
    this.model = model;
  }
}

/** The model exists, but not in the requested version. */
export class VersionNotFoundError extends RegistryError {
  readonly model: string;
  readonly version: string;
  constructor(model: string, version: string, available: readonly string[], where?: string, options?: ErrorOptions) {
    super('IM_REGISTRY_VERSION_NOT_FOUND', `model "${model}" has no version ${version}${inWhere(where)} (available: ${available.join(', ') || 'none'})`, options);
    this.name = 'VersionNotFoundError';
    this.model = model;
    this.version = version;
  }
}

/** The same name and version was registered before with different content. */
export class ConflictError extends createError(RegistryError, 'IM_REGISTRY_CONFLICT', 'ConflictError', (model: string, version: string) => `model "${model}" version ${version} is already registered with different content`, (model, version) => ({ model, version })) {}

/**
 * `registerStages` was given stages that do not fit the model version: a stage that differs from the
 * one registered before, or a chain that breaks (pre-processing does not hand on a session input, or
 * the session does not answer a tensor post-processing reads).
 */
export class StageMismatchError extends createError(RegistryError, 'IM_REGISTRY_STAGE_MISMATCH', 'StageMismatchError', (model: string, version: string, stage: string, detail: string) => `model "${model}" version ${version}, stage ${stage}: ${detail}`, (model, version, stage) => ({ model, version, stage })) {}

function describeIssues(issues: readonly RegistryIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** `register()` was given something that is not a valid model spec. */
export class InvalidSpecError extends createError(RegistryError, 'IM_REGISTRY_INVALID_SPEC', 'InvalidSpecError', (issues: readonly RegistryIssue[]) => `invalid model spec: ${describeIssues(issues)}`, (issues) => ({ issues })) {}

// Five classes stay short classes over the base: ManifestUnreadableError and RepositoryUnreadableError quote
// their cause's message (a one-line message function sees the arguments, not the options), and
// ModelNotFoundError, VersionNotFoundError and NoVersionsError end in an optional argument, which the
// factory's `[...args, options?]` constructor cannot tell from the options.

/** A model folder has no `manifest.yaml`, or it cannot be read. */
export class ManifestUnreadableError extends RegistryError {
  readonly file: string;
  constructor(file: string, options?: ErrorOptions) {
    super('IM_REGISTRY_MANIFEST_UNREADABLE', `cannot read manifest ${file}${causeText(options)}`, options);
    this.name = 'ManifestUnreadableError';
    this.file = file;
  }
}

/** `manifest.yaml` is not valid YAML. */
export class InvalidYamlError extends createError(RegistryError, 'IM_REGISTRY_INVALID_YAML', 'InvalidYamlError', (file: string, detail: string) => `invalid YAML in ${file}: ${detail}`, (file) => ({ file })) {}

/** `manifest.yaml` parsed, but does not match the manifest schema (or names another model). */
export class InvalidManifestError extends createError(RegistryError, 'IM_REGISTRY_INVALID_MANIFEST', 'InvalidManifestError', (file: string, issues: readonly RegistryIssue[]) => `invalid manifest ${file}: ${describeIssues(issues)}`, (file, issues) => ({ file, issues })) {}

/** A model folder has no numbered version folder (or none the version policy selects). */
export class NoVersionsError extends RegistryError {
  readonly dir: string;
  constructor(dir: string, detail = 'no numbered version folder', options?: ErrorOptions) {
    super('IM_REGISTRY_NO_VERSIONS', `${dir}: ${detail}`, options);
    this.name = 'NoVersionsError';
    this.dir = dir;
  }
}

/** A selected version folder does not contain the manifest's model file. */
export class ModelFileMissingError extends createError(RegistryError, 'IM_REGISTRY_MODEL_FILE_MISSING', 'ModelFileMissingError', (file: string) => `model file ${file} does not exist`, (file) => ({ file })) {}

/** The repository folder itself cannot be listed. */
export class RepositoryUnreadableError extends RegistryError {
  readonly dir: string;
  constructor(dir: string, options?: ErrorOptions) {
    super('IM_REGISTRY_REPOSITORY_UNREADABLE', `cannot read model repository ${dir}${causeText(options)}`, options);
    this.name = 'RepositoryUnreadableError';
    this.dir = dir;
  }
}
