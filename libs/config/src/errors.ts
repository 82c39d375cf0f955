import { createError, errorBase } from '@infermesh/foundation';

export const CONFIG_ERROR_CODES = ['IM_CONFIG_FILE', 'IM_CONFIG_YAML', 'IM_CONFIG_INVALID', 'IM_CONFIG_FLAG', 'IM_CONFIG_SECRET_FILE'] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export class ConfigError extends errorBase<ConfigErrorCode>('ConfigError') {}

const reason = (cause: unknown) => (cause as Error).message ?? String(cause);

/** The file could not be read. */
export class ConfigFileError extends createError(ConfigError, 'IM_CONFIG_FILE', 'ConfigFileError', (file: string, cause: unknown) => ({ message: `cannot read config file ${file}: ${reason(cause)}`, cause })) {}

/** The file is not valid YAML. */
export class ConfigYamlError extends createError(ConfigError, 'IM_CONFIG_YAML', 'ConfigYamlError', (file: string, cause: unknown) => ({ message: `config file ${file} is not valid YAML: ${reason(cause)}`, cause })) {}

/** The merged file and flags do not satisfy the schema; `issues` lists each key and what is wrong. */
export class ConfigInvalidError extends createError(ConfigError, 'IM_CONFIG_INVALID', 'ConfigInvalidError', (source: string, issues: readonly string[]) => `invalid config (${source}):\n  ${issues.join('\n  ')}`, (_source, issues) => ({ issues })) {}

/** A command-line flag is unknown or its value cannot be read. */
export class ConfigFlagError extends createError(ConfigError, 'IM_CONFIG_FLAG', 'ConfigFlagError', (message: string) => message) {}

/** A secret file cannot be read, is empty, or can be read by other users (group or world permission bits). */
export class ConfigSecretFileError extends createError(ConfigError, 'IM_CONFIG_SECRET_FILE', 'ConfigSecretFileError', (file: string, problem: string) => `secret file ${file}: ${problem}`) {}
