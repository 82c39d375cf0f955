import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', 'provision.sh');
const list = join(import.meta.dirname, '..', 'apt-packages.txt');

function provision(packages: string, env: Record<string, string> = {}) {
  const file = join(mkdtempSync(join(tmpdir(), 'im-provision-')), 'apt-packages.txt');
  writeFileSync(file, packages);
  const r = spawnSync('bash', [script], { env: { ...process.env, IM_PROVISION_LIST: file, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('provision.sh', () => {
  it('fails at once with one line naming the missing package and the command that installs it', () => {
    const r = provision('# a comment line\ncoreutils   # present everywhere\nim-no-such-package  # missing\n', { IM_PROVISION: 'check' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'provision: missing Debian package(s) im-no-such-package: install them as root with: apt-get update && apt-get install -y --no-install-recommends im-no-such-package',
    ]);
  });

  it('touches nothing when every package is there', () => {
    const r = provision('coreutils\nbash # the shell\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('provision: Debian packages present: coreutils bash\n');
  });

  it('lists one package a line, each with the tests that need it', () => {
    const names = readFileSync(list, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(names.length).toBeGreaterThan(0);
    for (const line of names) expect(line).toMatch(/^[a-z0-9][a-z0-9.+-]+\s+# \S/);
  });
});
