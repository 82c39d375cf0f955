import type { CheckOutcome } from './lint-tarball.js';
import type { ExportsVerdict, ImportResult } from './import-check.js';

export interface LibraryReport {
  readonly name: string;
  readonly placeholder: boolean;
  files?: number;
  publint?: CheckOutcome;
  attw?: CheckOutcome;
  esm?: ImportResult;
  cjs?: ImportResult;
  exports?: ExportsVerdict;
  /** Failures outside the checks above (not built, not packed, install failed). */
  readonly errors: string[];
}

export type Verdict = 'PASS' | 'WARN' | 'FAIL';

export function verdictOf(report: LibraryReport): Verdict {
  const failed =
    report.errors.length > 0 ||
    report.publint?.ok !== true ||
    report.attw?.ok !== true ||
    report.esm?.ok !== true ||
    report.cjs?.ok !== true ||
    report.exports === undefined ||
    report.exports.status === 'fail';
  if (failed) return 'FAIL';
  return report.exports?.status === 'placeholder' ? 'WARN' : 'PASS';
}

const check = (outcome: { ok: boolean } | undefined): string => (outcome === undefined ? '-' : outcome.ok ? 'ok' : 'FAIL');

function exportsCell(verdict: ExportsVerdict | undefined): string {
  if (verdict === undefined) return '-';
  if (verdict.status === 'ok') return `${verdict.count} names`;
  return verdict.status === 'placeholder' ? 'none (placeholder)' : 'FAIL';
}

/** A plain-text table, one row per library: readable in a CI log without colours. */
export function renderTable(reports: readonly LibraryReport[]): string {
  const header = ['library', 'files', 'publint', 'attw', 'esm', 'cjs', 'exports', 'result'];
  const rows = reports.map((r) => [
    r.name,
    r.files === undefined ? '-' : String(r.files),
    check(r.publint),
    check(r.attw),
    check(r.esm),
    check(r.cjs),
    exportsCell(r.exports),
    verdictOf(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Every reason a library failed or was waived, indented under its name. */
export function renderDetails(reports: readonly LibraryReport[]): string {
  const blocks: string[] = [];
  for (const r of reports) {
    const lines: string[] = [...r.errors];
    if (r.publint && !r.publint.ok) lines.push(...r.publint.details.map((d) => `publint: ${d}`));
    if (r.attw && !r.attw.ok) lines.push(...r.attw.details.map((d) => `attw: ${d}`));
    if (r.esm && !r.esm.ok) lines.push(`ESM import failed: ${r.esm.error}`);
    if (r.cjs && !r.cjs.ok) lines.push(`CJS require failed: ${r.cjs.error}`);
    if (r.exports?.status === 'fail') lines.push(r.exports.reason);
    if (r.exports?.status === 'placeholder') {
      lines.push('warning: exports nothing; accepted because src/index.ts is still the `export {};` placeholder');
    }
    if (lines.length > 0) blocks.push(`${r.name}\n${lines.map((l) => `  ${l.replace(/\n/g, '\n    ')}`).join('\n')}`);
  }
  return blocks.join('\n');
}
