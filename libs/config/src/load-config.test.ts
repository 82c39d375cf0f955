import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { CONFIG_ERROR_CODES, ConfigError, ConfigInvalidError, loadConfig, mergeConfig } from './index.js';

const Schema = z.object({
  port: z.int().min(0).max(65_535).default(9000),
  host: z.string().default('127.0.0.1'),
  limits: z.object({ bodyBytes: z.int().positive().default(1024) }).prefault({}),
  workers: z.array(z.string()).default([]),
});

function file(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'im-config-')), 'c.yaml');
  writeFileSync(f, text);
  return f;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ConfigError ? e.code : 'not a ConfigError';
  }
  return undefined;
}

describe('loadConfig', () => {
  it('gives the schema defaults without a file', () => {
    expect(loadConfig(Schema)).toEqual({ port: 9000, host: '127.0.0.1', limits: { bodyBytes: 1024 }, workers: [] });
  });

  it('reads a section of a YAML file and lets overrides win, deeply', () => {
    const f = file('coordinator:\n  port: 9100\n  limits: { bodyBytes: 10 }\n  workers: [a, b]\n');
    const c = loadConfig(Schema, { file: f, section: 'coordinator', overrides: { limits: { bodyBytes: 20 }, workers: ['c'] } });
    expect(c).toEqual({ port: 9100, host: '127.0.0.1', limits: { bodyBytes: 20 }, workers: ['c'] });
  });

  it('names every bad key with its full path', () => {
    const f = file('coordinator:\n  port: 70000\n  limits: { bodyBytes: -1 }\n');
    try {
      loadConfig(Schema, { file: f, section: 'coordinator' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigInvalidError);
      const issues = (e as ConfigInvalidError).issues;
      expect(issues.some((i) => i.startsWith('coordinator.port:'))).toBe(true);
      expect(issues.some((i) => i.startsWith('coordinator.limits.bodyBytes:'))).toBe(true);
    }
  });

  it('separates a missing file from bad YAML', () => {
    expect(codeOf(() => loadConfig(Schema, { file: '/nonexistent/x.yaml' }))).toBe('IM_CONFIG_FILE');
    expect(codeOf(() => loadConfig(Schema, { file: file('a: [1, 2\n') }))).toBe('IM_CONFIG_YAML');
  });
});

describe('mergeConfig', () => {
  it('replaces arrays and scalars, merges objects', () => {
    expect(mergeConfig({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, e: 2 })).toEqual({ a: { b: 1, c: [2] }, d: 1, e: 2 });
  });
});

describe('README', () => {
  it('documents every error code', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of CONFIG_ERROR_CODES) expect(readme).toContain(code);
  });
});
