import { runCommand } from './run-command.js';

export type ModuleSystem = 'esm' | 'cjs';

export type ImportResult =
  | { readonly ok: true; readonly keys: readonly string[]; readonly ms: number }
  | { readonly ok: false; readonly error: string; readonly ms: number };

const PRINT_KEYS = 'process.stdout.write(JSON.stringify(Object.keys(m).sort()))';
const SCRIPTS: Record<ModuleSystem, { inputType: string; script: string }> = {
  esm: { inputType: 'module', script: `const m = await import(process.env.IM_PACKAGE); ${PRINT_KEYS};` },
  cjs: { inputType: 'commonjs', script: `const m = require(process.env.IM_PACKAGE); ${PRINT_KEYS};` },
};

/** Loads a package in a fresh Node process from `cwd`, as a consumer would, and lists its export names. */
export async function importPackage(cwd: string, name: string, system: ModuleSystem): Promise<ImportResult> {
  const { inputType, script } = SCRIPTS[system];
  const result = await runCommand(process.execPath, [`--input-type=${inputType}`, '-e', script], {
    cwd,
    env: { ...process.env, IM_PACKAGE: name, NODE_OPTIONS: '' },
    timeoutMs: 60_000,
  });
  if (result.code !== 0) {
    const error = result.stderr.trim().split('\n').filter(Boolean).slice(0, 6).join('\n');
    return { ok: false, error: error || `exit ${result.code}`, ms: result.ms };
  }
  return { ok: true, keys: JSON.parse(result.stdout) as string[], ms: result.ms };
}

export type ExportsVerdict =
  | { readonly status: 'ok'; readonly count: number }
  | { readonly status: 'placeholder' }
  | { readonly status: 'fail'; readonly reason: string };

/**
 * The ESM and CJS builds must expose the same, non-empty list of names. An empty list is only accepted from a
 * placeholder library (its src/index.ts is `export {};`), so a real library that loses its exports fails.
 */
export function compareExports(esm: readonly string[], cjs: readonly string[], placeholder: boolean): ExportsVerdict {
  const cjsSet = new Set(cjs);
  const esmSet = new Set(esm);
  const onlyEsm = esm.filter((k) => !cjsSet.has(k));
  const onlyCjs = cjs.filter((k) => !esmSet.has(k));
  if (onlyEsm.length > 0 || onlyCjs.length > 0) {
    const parts: string[] = [];
    if (onlyEsm.length > 0) parts.push(`only in ESM: ${onlyEsm.join(', ')}`);
    if (onlyCjs.length > 0) parts.push(`only in CJS: ${onlyCjs.join(', ')}`);
    return { status: 'fail', reason: `ESM and CJS export different names (${parts.join('; ')})` };
  }
  if (esm.length === 0) {
    return placeholder
      ? { status: 'placeholder' }
      : { status: 'fail', reason: 'exports nothing, but src/index.ts is not a placeholder' };
  }
  return { status: 'ok', count: esm.length };
}
