import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A new random token (256 bits) for one cluster's worker channel, written to `file` (default: a new
 * private temporary folder) with mode 0600, so only this user can read it. Returns the file's path.
 */
export async function writeClusterToken(file?: string): Promise<string> {
  const path = file ?? join(await mkdtemp(join(tmpdir(), 'infermesh-cluster-')), 'worker-token');
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file: an older token file keeps its mode otherwise.
  await chmod(path, 0o600);
  return path;
}
