import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathTraversalError, ProcessingFileError } from './errors.js';
import { readModelFile } from './model-file.js';

describe('readModelFile', () => {
  let root: string;
  let dir: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'im-processing-'));
    dir = path.join(root, 'model', '1');
    await mkdir(path.join(dir, 'sub'), { recursive: true });
    await writeFile(path.join(dir, 'sub', 'vocab.json'), '["a"]');
    await writeFile(path.join(root, 'secret.json'), '["secret"]');
    await symlink(path.join(root, 'secret.json'), path.join(dir, 'link.json'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reads a file inside the folder', async () => {
    await expect(readModelFile(dir, 'sub/vocab.json')).resolves.toBe('["a"]');
    await expect(readModelFile(dir, './sub/../sub/vocab.json')).resolves.toBe('["a"]');
  });

  it.each(['../../secret.json', '/etc/passwd', 'sub/../../../secret.json', '..', '.', ''])(
    'refuses %j with IM_PROCESSING_PATH_TRAVERSAL',
    async (file) => {
      const error = await readModelFile(dir, file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PathTraversalError);
      expect((error as PathTraversalError).code).toBe('IM_PROCESSING_PATH_TRAVERSAL');
    },
  );

  it('refuses a symbolic link that points outside the folder', async () => {
    await expect(readModelFile(dir, 'link.json')).rejects.toBeInstanceOf(PathTraversalError);
  });

  it('reports a missing file as IM_PROCESSING_FILE', async () => {
    const error = await readModelFile(dir, 'nope.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessingFileError);
    expect((error as ProcessingFileError).code).toBe('IM_PROCESSING_FILE');
    expect((error as ProcessingFileError).cause).toBeDefined();
  });
});
