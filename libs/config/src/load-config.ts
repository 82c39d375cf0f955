import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod/v4';
import { ConfigFileError, ConfigInvalidError, ConfigYamlError } from './errors.js';

export interface LoadConfigOptions {
  /** A YAML file to read. Without one, the schema's defaults and the overrides make the config. */
  file?: string;
  /** Dotted path of the part of the file this program reads (`coordinator`, `workers.0`). */
  section?: string;
  /** Values that win over the file, usually from command-line flags (see `parseFlags`). */
  overrides?: Record<string, unknown>;
}

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects; arrays and scalars from `over` replace those in `base`. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeConfig(base[k], v);
  return out;
}

function pick(doc: unknown, section: string | undefined): unknown {
  if (!section) return doc;
  let cur = doc;
  for (const key of section.split('.')) cur = isPlain(cur) || Array.isArray(cur) ? (cur as Plain)[key] : undefined;
  return cur;
}

/** Formats zod issues as `path.to.key: message`, one per line, the way a person fixes a file. */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path || '(root)'}: ${i.message}`;
  });
}

/** Reads the YAML file (if any), takes its section, applies overrides and validates with the schema. */
export function loadConfig<S extends z.ZodType>(schema: S, options: LoadConfigOptions = {}): z.output<S> {
  let doc: unknown = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw new ConfigFileError(options.file, cause);
    }
    try {
      doc = parseYaml(text) ?? {};
    } catch (cause) {
      throw new ConfigYamlError(options.file, cause);
    }
  }
  const merged = mergeConfig(pick(doc, options.section) ?? {}, options.overrides ?? {});
  const result = schema.safeParse(merged);
  if (!result.success) {
    const source = [options.file, options.overrides && Object.keys(options.overrides).length ? 'flags' : '']
      .filter(Boolean)
      .join(' + ') || 'defaults';
    throw new ConfigInvalidError(source, formatIssues(result.error, options.section));
  }
  return result.data;
}
