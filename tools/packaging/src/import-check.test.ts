import { describe, expect, it } from 'vitest';
import { compareExports } from './import-check.js';

describe('compareExports', () => {
  it('accepts equal, non-empty lists', () => {
    expect(compareExports(['a', 'b'], ['a', 'b'], false)).toEqual({ status: 'ok', count: 2 });
  });

  it('names the exports that only one module system has', () => {
    const verdict = compareExports(['a', 'b', 'default'], ['a', 'c'], false);
    expect(verdict).toEqual({
      status: 'fail',
      reason: 'ESM and CJS export different names (only in ESM: b, default; only in CJS: c)',
    });
  });

  it('accepts an empty list only from a placeholder library', () => {
    expect(compareExports([], [], true)).toEqual({ status: 'placeholder' });
    expect(compareExports([], [], false).status).toBe('fail');
  });

  it('fails a mismatch even for a placeholder', () => {
    expect(compareExports(['a'], [], true).status).toBe('fail');
  });
});
