export const CONFIG_ERROR_CODES = ['IM_CONFIG_FILE', 'IM_CONFIG_YAML', 'IM_CONFIG_INVALID', 'IM_CONFIG_FLAG'] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  readonly code: ConfigErrorCode;
  constructor(code: ConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The file could not be read. */
export class ConfigFileError extends ConfigError {
  override readonly name = 'ConfigFileError';
  constructor(file: string, cause: unknown) {
    super('IM_CONFIG_FILE', `cannot read config file ${file}: ${(cause as Error).message ?? String(cause)}`, { cause });
  }
}

/** The file is not valid YAML. */
export class ConfigYamlError extends ConfigError {
  override readonly name = 'ConfigYamlError';
  constructor(file: string, cause: unknown) {
    super('IM_CONFIG_YAML', `config file ${file} is not valid YAML: ${(cause as Error).message ?? String(cause)}`, { cause });
  }
}

/** The merged file and flags do not satisfy the schema; `issues` lists each key and what is wrong. */
export class ConfigInvalidError extends ConfigError {
  override readonly name = 'ConfigInvalidError';
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[]) {
    super('IM_CONFIG_INVALID', `invalid config (${source}):\n  ${issues.join('\n  ')}`);
    this.issues = issues;
  }
}

/** A command-line flag is unknown or its value cannot be read. */
export class ConfigFlagError extends ConfigError {
  override readonly name = 'ConfigFlagError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('IM_CONFIG_FLAG', message, options);
  }
}
