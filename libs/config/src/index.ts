export { loadConfig, mergeConfig, formatIssues } from './load-config.js';
export type { LoadConfigOptions } from './load-config.js';
export { parseFlags, formatHelp } from './parse-flags.js';
export type { FlagSpec, FlagTable, ParsedFlags } from './parse-flags.js';
export {
  CONFIG_ERROR_CODES, ConfigError, ConfigFileError, ConfigYamlError, ConfigInvalidError, ConfigFlagError, ConfigSecretFileError,
} from './errors.js';
export type { ConfigErrorCode } from './errors.js';
export { loadProgramConfig } from './load-program-config.js';
export type { ProgramConfigOptions } from './load-program-config.js';
export { readPrivateFile, readSecretFile } from './read-secret-file.js';
export { readTlsFiles, readClientCredentials } from './read-client-credentials.js';
export type { TlsFiles, TlsPem, PasswordFileAuth } from './read-client-credentials.js';
