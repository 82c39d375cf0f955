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
    expect(readSecretFile(write('crlf', '\r\n  a-long-token-123\r\n', 0o600))).toBe('a-long-token-123');
    // Any printable text is a secret, a tab and non-ASCII letters included (a password may hold them).
    expect(readSecretFile(write('tab', 'pass\tw\u00f6rd\n', 0o600))).toBe('pass\tw\u00f6rd');
  });

  it.each([
    ['a group-readable file', () => write('group', 'a-long-token-123', 0o640), /lets other users read it/],
    ['a world-readable file', () => write('world', 'a-long-token-123', 0o604), /chmod 600/],
    ['an empty file', () => write('empty', '\n', 0o600), /is empty/],
    ['a token wrapped over two lines', () => write('wrapped', 'first-half-of-a-token\nsecond-half\n', 0o600), /holds a line break at character 22: a secret is one line/],
    ['a token with a control character', () => write('control', 'a-token\u0007bell', 0o600), /holds control character U\+0007 at character 8/],
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
