import { readFileSync, statSync } from 'node:fs';
import { ConfigSecretFileError } from './errors.js';

/**
 * Refuses, as ssh does with a private key, a file other users may read (any group or other permission
 * bit): a secret others can read is not one. Returns the file's text.
 */
export function readPrivateFile(file: string): string {
  let text: string;
  let mode: number;
  try {
    mode = statSync(file).mode;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigSecretFileError(file, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new ConfigSecretFileError(file, `mode ${(mode & 0o777).toString(8)} lets other users read it; chmod 600 it`);
  }
  return text;
}

/** Reads a secret kept in a private file (a token, a password), without the line break editors add. */
export function readSecretFile(file: string): string {
  const secret = readPrivateFile(file).trim();
  if (secret.length === 0) throw new ConfigSecretFileError(file, 'is empty');
  return secret;
}
