import { join } from 'node:path';
import { makeTestFiles } from '@infermesh/foundation/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigSecretFileError, readSecretFile } from './index.js';

const files = makeTestFiles('im-secret');
const { dir, write } = files;
afterAll(() => files.remove());

describe('readSecretFile', () => {
  it('reads the secret of a 0600 file without its line break', () => {
    expect(readSecretFile(write('ok', 'a-long-token-123\n', 0o600))).toBe('a-long-token-123');
  });

  it.each([
    ['a group-readable file', () => write('group', 'a-long-token-123', 0o640), /lets other users read it/],
    ['a world-readable file', () => write('world', 'a-long-token-123', 0o604), /chmod 600/],
    ['an empty file', () => write('empty', '\n', 0o600), /is empty/],
    ['a missing file', () => join(dir, 'missing'), /cannot be read/],
  ])('refuses %s with IM_CONFIG_SECRET_FILE', (_name, file, message) => {
    const error = (() => {
      try {
        readSecretFile(file());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigSecretFileError);
    expect((error as ConfigSecretFileError).code).toBe('IM_CONFIG_SECRET_FILE');
    expect((error as Error).message).toMatch(message);
  });
});
