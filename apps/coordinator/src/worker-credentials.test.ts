import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerCredentials } from './worker-credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'im-creds-'));
const write = (file: string, text: string, mode = 0o600): string => {
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
};
const open: WorkerCredentials[] = [];
afterEach(() => open.splice(0).forEach((c) => c.close()));

describe('WorkerCredentials', () => {
  it('names a worker by its token, plain or as a sha256 digest, and nobody else', () => {
    const digest = createHash('sha256').update('token-of-worker-b-456').digest('hex');
    const creds = new WorkerCredentials(write(join(dir, 'a.yaml'), `worker-a: token-of-worker-a-123\nworker-b: sha256:${digest}\n`));
    expect(creds.authenticate('token-of-worker-a-123')).toBe('worker-a');
    expect(creds.authenticate('token-of-worker-b-456')).toBe('worker-b');
    expect(creds.authenticate(`sha256:${digest}`)).toBeUndefined();
    expect(creds.authenticate('token-of-worker-a-12')).toBeUndefined();
    expect(creds.authenticate(undefined)).toBeUndefined();
  });

  it.each([
    ['readable by others', 'worker-a: token-of-worker-a-123\n', 0o644, /IM_CONFIG_SECRET_FILE|lets other users read it/],
    ['a short token', 'worker-a: short\n', 0o600, /at least 16 characters/],
    ['two workers sharing a token', 'worker-a: token-of-worker-a-123\nworker-b: token-of-worker-a-123\n', 0o600, /share a token/],
    ['empty', '{}\n', 0o600, /no worker credentials/],
  ])('refuses a file %s', (_what, text, mode, message) => {
    expect(() => new WorkerCredentials(write(join(dir, 'bad.yaml'), text, mode))).toThrow(message);
  });

  it('reload: reports workers whose token was removed or changed, and stops accepting their old token', () => {
    const file = write(join(dir, 'r.yaml'), 'worker-a: token-of-worker-a-123\nworker-b: token-of-worker-b-456\nworker-c: token-of-worker-c-789\n');
    const creds = new WorkerCredentials(file);
    const events: Array<{ workers: number; revoked: string[] }> = [];
    creds.on('reloaded', (e) => events.push(e));
    write(file, 'worker-a: token-of-worker-a-123\nworker-c: token-of-worker-c-000\n');
    creds.reload();
    expect(events).toEqual([{ workers: 2, revoked: ['worker-b', 'worker-c'] }]);
    expect(creds.authenticate('token-of-worker-b-456')).toBeUndefined();
    expect(creds.authenticate('token-of-worker-c-789')).toBeUndefined();
    expect(creds.authenticate('token-of-worker-c-000')).toBe('worker-c');
    expect(creds.authenticate('token-of-worker-a-123')).toBe('worker-a');
  });

  it('reload: a broken file keeps the credentials in force and reports the error', () => {
    const file = write(join(dir, 'k.yaml'), 'worker-a: token-of-worker-a-123\n');
    const creds = new WorkerCredentials(file);
    const errors: Error[] = [];
    creds.on('error', (e) => errors.push(e));
    write(file, 'worker-a: [not, a, token\n');
    creds.reload();
    expect(errors).toHaveLength(1);
    expect(creds.authenticate('token-of-worker-a-123')).toBe('worker-a');
  });

  it('watch: an editor\'s write-then-rename is read again without a signal', async () => {
    const sub = mkdtempSync(join(dir, 'w-'));
    const file = write(join(sub, 'creds.yaml'), 'worker-a: token-of-worker-a-123\nworker-b: token-of-worker-b-456\n');
    const creds = new WorkerCredentials(file).watch(10);
    open.push(creds);
    const reloaded = new Promise<{ revoked: string[] }>((resolve) => creds.once('reloaded', resolve));
    renameSync(write(join(sub, 'creds.yaml.tmp'), 'worker-a: token-of-worker-a-123\n'), file);
    expect((await reloaded).revoked).toEqual(['worker-b']);
  });
});
