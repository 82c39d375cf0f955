import { readFileSync, statSync, writeFileSync, chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeClusterToken } from './cluster-token.js';

describe('writeClusterToken', () => {
  it('writes a new 256-bit token, readable only by this user, at each call', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'im-token-')), 'state', 'worker-token');
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) {
      expect(await writeClusterToken(file)).toBe(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      tokens.add(readFileSync(file, 'utf8').trim());
    }
    expect(tokens.size).toBe(3);
    for (const t of tokens) expect(Buffer.from(t, 'base64url')).toHaveLength(32);
  });

  it('tightens the mode of an older, looser token file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'im-token-')), 'worker-token');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    await writeClusterToken(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('makes a private temporary folder when no file is named', async () => {
    const file = await writeClusterToken();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(file).toContain('infermesh-cluster-');
  });
});
