import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestFiles {
  dir: string;
  /** Writes `text` to `name` in the folder with exactly `mode` (secret files are refused when others may read them). */
  write(name: string, text: string, mode?: number): string;
  /** Removes the folder and every file in it. */
  remove(): void;
}

/** A throwaway folder for a test's config, secret and PEM files. */
export function makeTestFiles(name = 'infermesh-test'): TestFiles {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  return {
    dir,
    write(file, text, mode = 0o600) {
      const path = join(dir, file);
      writeFileSync(path, text);
      chmodSync(path, mode);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
