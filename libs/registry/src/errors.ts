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

export class RegistryError extends Error {
  override readonly name: string = 'RegistryError';
  readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** No model of that name is registered (or, for a repository, no folder of that name exists). */
export class ModelNotFoundError extends RegistryError {
  override readonly name = 'ModelNotFoundError';
  readonly model: string;
  constructor(model: string, where?: string) {
    super('IM_REGISTRY_MODEL_NOT_FOUND', `model "${model}" not found${where ? ` in ${where}` : ''}`);
    this.model = model;
  }
}

/** The model exists, but not in the requested version. */
export class VersionNotFoundError extends RegistryError {
  override readonly name = 'VersionNotFoundError';
  readonly model: string;
  readonly version: string;
  constructor(model: string, version: string, available: readonly string[], where?: string) {
    super(
      'IM_REGISTRY_VERSION_NOT_FOUND',
      `model "${model}" has no version ${version}${where ? ` in ${where}` : ''} (available: ${available.join(', ') || 'none'})`,
    );
    this.model = model;
    this.version = version;
  }
}

/** The same name and version was registered before with different content. */
export class ConflictError extends RegistryError {
  override readonly name = 'ConflictError';
  readonly model: string;
  readonly version: string;
  constructor(model: string, version: string) {
    super('IM_REGISTRY_CONFLICT', `model "${model}" version ${version} is already registered with different content`);
    this.model = model;
    this.version = version;
  }
}

/**
 * `registerStages` was given stages that do not fit the model version: a stage that differs from the
 * one registered before, or a chain that breaks (pre-processing does not hand on a session input, or
 * the session does not answer a tensor post-processing reads).
 */
export class StageMismatchError extends RegistryError {
  override readonly name = 'StageMismatchError';
  readonly model: string;
  readonly version: string;
  readonly stage: string;
  constructor(model: string, version: string, stage: string, detail: string) {
    super('IM_REGISTRY_STAGE_MISMATCH', `model "${model}" version ${version}, stage ${stage}: ${detail}`);
    this.model = model;
    this.version = version;
    this.stage = stage;
  }
}

function describeIssues(issues: readonly RegistryIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** `register()` was given something that is not a valid model spec. */
export class InvalidSpecError extends RegistryError {
  override readonly name = 'InvalidSpecError';
  readonly issues: readonly RegistryIssue[];
  constructor(issues: readonly RegistryIssue[], options?: { cause?: unknown }) {
    super('IM_REGISTRY_INVALID_SPEC', `invalid model spec: ${describeIssues(issues)}`, options);
    this.issues = issues;
  }
}

/** A model folder has no `manifest.yaml`, or it cannot be read. */
export class ManifestUnreadableError extends RegistryError {
  override readonly name = 'ManifestUnreadableError';
  readonly file: string;
  constructor(file: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('IM_REGISTRY_MANIFEST_UNREADABLE', `cannot read manifest ${file}${reason}`, options);
    this.file = file;
  }
}

/** `manifest.yaml` is not valid YAML. */
export class InvalidYamlError extends RegistryError {
  override readonly name = 'InvalidYamlError';
  readonly file: string;
  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super('IM_REGISTRY_INVALID_YAML', `invalid YAML in ${file}: ${detail}`, options);
    this.file = file;
  }
}

/** `manifest.yaml` parsed, but does not match the manifest schema (or names another model). */
export class InvalidManifestError extends RegistryError {
  override readonly name = 'InvalidManifestError';
  readonly file: string;
  readonly issues: readonly RegistryIssue[];
  constructor(file: string, issues: readonly RegistryIssue[], options?: { cause?: unknown }) {
    super('IM_REGISTRY_INVALID_MANIFEST', `invalid manifest ${file}: ${describeIssues(issues)}`, options);
    this.file = file;
    this.issues = issues;
  }
}

/** A model folder has no numbered version folder (or none the version policy selects). */
export class NoVersionsError extends RegistryError {
  override readonly name = 'NoVersionsError';
  readonly dir: string;
  constructor(dir: string, detail = 'no numbered version folder') {
    super('IM_REGISTRY_NO_VERSIONS', `${dir}: ${detail}`);
    this.dir = dir;
  }
}

/** A selected version folder does not contain the manifest's model file. */
export class ModelFileMissingError extends RegistryError {
  override readonly name = 'ModelFileMissingError';
  readonly file: string;
  constructor(file: string, options?: { cause?: unknown }) {
    super('IM_REGISTRY_MODEL_FILE_MISSING', `model file ${file} does not exist`, options);
    this.file = file;
  }
}

/** The repository folder itself cannot be listed. */
export class RepositoryUnreadableError extends RegistryError {
  override readonly name = 'RepositoryUnreadableError';
  readonly dir: string;
  constructor(dir: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super('IM_REGISTRY_REPOSITORY_UNREADABLE', `cannot read model repository ${dir}${reason}`, options);
    this.dir = dir;
  }
}
