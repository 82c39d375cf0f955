import type { z } from 'zod/v4';
import { loadConfig, mergeConfig } from './load-config.js';
import { formatHelp, parseFlags, type FlagTable } from './parse-flags.js';

export interface ProgramConfigOptions<S extends z.ZodType> {
  schema: S;
  flags: FlagTable;
  /** First line of `--help`. */
  usage: string;
  /** Section of the file read when `--config` is given without `--config-section`. Default: the whole file. */
  section?: string;
  /** Config keys (dotted) filled from environment variables when no flag sets them: `{ secret: 'APP_SECRET' }`. */
  env?: Record<string, string>;
  /** Default: `process.env`. */
  environment?: NodeJS.ProcessEnv;
  /** Where `--help` is written. Default: stdout. */
  write?: (text: string) => void;
}

function fromEnvironment(env: Record<string, string>, environment: NodeJS.ProcessEnv): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [path, name] of Object.entries(env)) {
    const value = environment[name];
    if (value === undefined || value === '') continue;
    const nested = path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
    out = mergeConfig(out, nested) as Record<string, unknown>;
  }
  return out;
}

/**
 * A program's start: flags, `--help`, the YAML file and environment variables into one validated
 * config. Returns undefined when `--help` was asked for (the help is written). Precedence: flags,
 * then environment variables, then the file, then the schema's defaults.
 */
export function loadProgramConfig<S extends z.ZodType>(argv: readonly string[], options: ProgramConfigOptions<S>): z.output<S> | undefined {
  const flags = parseFlags(argv, options.flags);
  if (flags.help) {
    (options.write ?? ((t) => process.stdout.write(t)))(formatHelp(options.usage, options.flags));
    return undefined;
  }
  const environment = fromEnvironment(options.env ?? {}, options.environment ?? process.env);
  const section = flags.configSection ?? (flags.configFile ? options.section : undefined);
  return loadConfig(options.schema, {
    ...(flags.configFile ? { file: flags.configFile } : {}),
    ...(section ? { section } : {}),
    overrides: mergeConfig(environment, flags.overrides) as Record<string, unknown>,
  });
}
