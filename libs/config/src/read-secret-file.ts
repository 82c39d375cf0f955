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

/** A line break or another control character (a tab aside): what no token or password holds. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * Reads a secret kept in a private file (a token, a password), without the line break editors add. A
 * secret of several lines (a token `base64` wrapped at 76 characters) or with another control character
 * is refused here, naming the file, rather than failing later as an invalid `authorization` header.
 */
export function readSecretFile(file: string): string {
  const secret = readPrivateFile(file).trim();
  if (secret.length === 0) throw new ConfigSecretFileError(file, 'is empty');
  const control = CONTROL.exec(secret);
  if (control !== null) {
    const what = control[0] === '\n' || control[0] === '\r' ? 'a line break' : `control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
    throw new ConfigSecretFileError(file, `holds ${what} at character ${control.index + 1}: a secret is one line (base64 -w0 writes a token without wrapping it)`);
  }
  return secret;
}
