import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { PathTraversalError, ProcessingFileError } from './errors.js';

function inside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Reads `file` (a path relative to the model folder `dir`) as UTF-8. Refuses an absolute path, a `..`
 * that climbs out, and a symbolic link whose target lies outside `dir`, so a registry entry can never
 * make a step read another model's files or the host's.
 */
export async function readModelFile(dir: string, file: string): Promise<string> {
  const root = path.resolve(dir);
  if (file.includes('\0') || path.isAbsolute(file) || !inside(root, path.resolve(root, file))) {
    throw new PathTraversalError(file, dir);
  }
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    realFile = await realpath(path.resolve(root, file));
  } catch (cause) {
    throw new ProcessingFileError(file, `cannot be found in '${dir}'`, { cause });
  }
  if (!inside(realRoot, realFile)) throw new PathTraversalError(file, dir);
  try {
    return await readFile(realFile, 'utf8');
  } catch (cause) {
    throw new ProcessingFileError(file, 'cannot be read', { cause });
  }
}
