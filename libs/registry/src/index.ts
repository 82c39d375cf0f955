export { ModelManifestSchema, VersionPolicySchema } from './model-manifest.js';
export type { ModelManifest, ModelManifestInput, VersionPolicy } from './model-manifest.js';
export {
  loadModelRepository, repositoryModelNames, placeableModels, readModelManifest, LoadModelRepositoryOptionsSchema, MANIFEST_FILE,
} from './load-model-repository.js';
export type { LoadModelRepositoryOptions, RepositoryModel } from './load-model-repository.js';
export { ModelRegistry } from './model-registry.js';
export type { RegistryChange, RegistryChangeListener } from './model-registry.js';
export {
  REGISTRY_ERROR_CODES, RegistryError, ModelNotFoundError, VersionNotFoundError, ConflictError, StageMismatchError, InvalidSpecError,
  ManifestUnreadableError, InvalidYamlError, InvalidManifestError, NoVersionsError, ModelFileMissingError,
  RepositoryUnreadableError,
} from './errors.js';
export type { RegistryErrorCode, RegistryIssue } from './errors.js';
