import { describe, expect, it } from 'vitest';
import { renderDetails, renderTable, verdictOf, type LibraryReport } from './report.js';

const passing = (): LibraryReport => ({
  name: '@infermesh/a',
  placeholder: false,
  files: 3,
  publint: { ok: true, details: [], ms: 1 },
  attw: { ok: true, details: [], ms: 1 },
  esm: { ok: true, keys: ['x'], ms: 1 },
  cjs: { ok: true, keys: ['x'], ms: 1 },
  exports: { status: 'ok', count: 1 },
  errors: [],
});

describe('verdictOf', () => {
  it('passes a library whose every check passed', () => {
    expect(verdictOf(passing())).toBe('PASS');
  });

  it('fails on any failed or missing check', () => {
    expect(verdictOf({ ...passing(), attw: { ok: false, details: ['FalseCJS'], ms: 1 } })).toBe('FAIL');
    expect(verdictOf({ ...passing(), esm: undefined })).toBe('FAIL');
    expect(verdictOf({ ...passing(), errors: ['not built'] })).toBe('FAIL');
    expect(verdictOf({ ...passing(), exports: { status: 'fail', reason: 'r' } })).toBe('FAIL');
  });

  it('warns for a placeholder library', () => {
    expect(verdictOf({ ...passing(), exports: { status: 'placeholder' } })).toBe('WARN');
  });
});

describe('rendering', () => {
  it('prints one aligned row per library', () => {
    const table = renderTable([passing(), { ...passing(), name: '@infermesh/longer-name', publint: undefined }]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^@infermesh\/a\s+3\s+ok\s+ok\s+ok\s+ok\s+1 names\s+PASS$/);
    expect(lines[3]).toMatch(/-\s+ok\s+ok\s+ok\s+1 names\s+FAIL$/);
  });

  it('lists the reasons of a failure', () => {
    const details = renderDetails([{ ...passing(), publint: { ok: false, details: ['error X: y'], ms: 1 } }]);
    expect(details).toBe('@infermesh/a\n  publint: error X: y');
  });
});
