import { parseArgs } from 'node:util';
import { ConfigFlagError } from './errors.js';

/** How one command-line flag maps onto a config key. */
export interface FlagSpec {
  /** Dotted config path the value goes to (`http.port`). */
  path: string;
  type: 'string' | 'number' | 'boolean' | 'list';
  description: string;
  short?: string;
  /** A `number` flag that also takes `off`: the config key is set to null (a port not served). */
  off?: boolean;
}

export type FlagTable = Record<string, FlagSpec>;

export interface ParsedFlags {
  /** Nested overrides for `loadConfig`. */
  overrides: Record<string, unknown>;
  /** `--config FILE`, always accepted. */
  configFile?: string;
  /** `--config-section PATH`, always accepted: which part of the file this program reads. */
  configSection?: string;
  help: boolean;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = target;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    cur = (typeof next === 'object' && next !== null ? next : (cur[k] = {})) as Record<string, unknown>;
  }
  cur[keys[keys.length - 1] as string] = value;
}

/**
 * Parses argv against a flag table (plus `--config` and `--help`). Unknown flags and unreadable
 * values are refused with IM_CONFIG_FLAG; a `list` flag may repeat or hold comma-separated values.
 */
export function parseFlags(argv: readonly string[], table: FlagTable): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    config: { type: 'string', short: 'c' },
    'config-section': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(table)) {
    options[name] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.type === 'list' ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (cause) {
    throw new ConfigFlagError((cause as Error).message, { cause });
  }
  const overrides: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const raw = values[name];
    if (raw === undefined) continue;
    let value: unknown = raw;
    if (spec.type === 'number' && spec.off === true && raw === 'off') {
      value = null;
    } else if (spec.type === 'number') {
      value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) throw new ConfigFlagError(`--${name} expects a number, got '${String(raw)}'`);
    } else if (spec.type === 'list') {
      value = (raw as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    }
    setPath(overrides, spec.path, value);
  }
  return {
    overrides,
    help: values.help === true,
    ...(typeof values.config === 'string' ? { configFile: values.config } : {}),
    ...(typeof values['config-section'] === 'string' ? { configSection: values['config-section'] } : {}),
  };
}

/** Help text listing every flag, its config key and meaning. */
export function formatHelp(usage: string, table: FlagTable): string {
  const rows: Array<[string, string]> = [
    ['-c, --config FILE', 'YAML config file'],
    ['--config-section PATH', 'the part of the file to read (e.g. workers.0)'],
    ['-h, --help', 'show this help'],
    ...Object.entries(table).map(([name, s]): [string, string] => [
      `${s.short ? `-${s.short}, ` : ''}--${name}${s.type === 'boolean' ? '' : s.type === 'list' ? ' A,B' : ` ${s.type.toUpperCase()}`}`,
      `${s.description} (${s.path})`,
    ]),
  ];
  const width = Math.max(...rows.map(([f]) => f.length));
  return `${usage}\n\n${rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`).join('\n')}\n`;
}
