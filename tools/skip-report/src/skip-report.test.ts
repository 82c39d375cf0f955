import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCi, reasonOf, verdict } from './skip-report.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const vitestBin = join(import.meta.dirname, '..', '..', '..', 'node_modules', 'vitest', 'vitest.mjs');

/** Runs vitest on a fixture folder as its own root, as `nx test` would run a project. */
function runFixture(name: string, ci: boolean) {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  delete env.NODE_ENV;
  if (ci) env.CI = 'true';
  else delete env.CI;
  const r = spawnSync(process.execPath, [vitestBin, 'run', '--root', join(fixtures, name)], { env, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('skip report in a real vitest run', () => {
  it('under CI, fails a run with skipped tests and names each with its reason', () => {
    const { status, out } = runFixture('skips', true);
    expect(status).toBe(1);
    expect(out).toContain('3 tests skipped: a skipped test fails the run under CI');
    expect(out).toContain('needs a tool that is missing: declared skipped: it.skip, skipIf or runIf (line 7)');
    expect(out).toContain('skips itself with a note: fixture: openssl is not installed');
    expect(out).toContain('is still to be written: marked todo (line 11)');
  });

  it('outside CI, lists the skipped tests and passes', () => {
    const { status, out } = runFixture('skips', false);
    expect(status).toBe(0);
    expect(out).toContain('3 tests skipped:');
    expect(out).not.toContain('fails the run under CI');
  });

  it('under CI, passes a run where every test ran, and prints nothing extra', () => {
    const { status, out } = runFixture('passing', true);
    expect(status).toBe(0);
    expect(out).not.toContain('skipped');
  });
});

describe('skip report logic', () => {
  it('prefers the note of ctx.skip, else names the declaration', () => {
    expect(reasonOf('run', 'no chromium', 3)).toBe('no chromium');
    expect(reasonOf('skip', undefined, 3)).toBe('declared skipped: it.skip, skipIf or runIf (line 3)');
    expect(reasonOf('todo', '', undefined)).toBe('marked todo');
  });

  it('fails only under CI, and only when something was skipped', () => {
    const one = [{ file: 'a.test.ts', name: 't', reason: 'r' }];
    expect(verdict([], true)).toEqual({ lines: [], fail: false });
    expect(verdict(one, false).fail).toBe(false);
    expect(verdict(one, true)).toEqual({
      lines: ['1 test skipped: a skipped test fails the run under CI:', '  - a.test.ts > t: r'],
      fail: true,
    });
  });

  it('reads CI the way CI services set it', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({ CI: '0' })).toBe(false);
    expect(isCi({})).toBe(false);
  });
});
