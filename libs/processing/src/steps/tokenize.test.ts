import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError, PathTraversalError, ProcessingFileError } from '../errors.js';
import { TokenizeOptionsSchema, tokenizeStep, type TokenizeOptions } from './tokenize.js';

describe('tokenize step', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'im-tokenize-'));
    await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(['good', 'bad', 'does not work', 'not', "don't"]));
    await writeFile(path.join(dir, 'broken.json'), '["good", ');
    await writeFile(path.join(dir, 'numbers.json'), '[1, 2]');
    await writeFile(path.join(dir, 'dupes.json'), '["Good", "good"]');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const create = (options: Partial<TokenizeOptions> = {}) =>
    tokenizeStep.create(
      TokenizeOptionsSchema.parse({ vocabulary: 'vocab.json', input: 'text', output: 'counts', ...options }),
      { dir },
      [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
    );

  it('turns a batch of texts into [N, V] bag-of-words counts', async () => {
    const step = await create();
    expect(step.inputs).toEqual([{ name: 'text', datatype: 'BYTES', shape: [-1] }]);
    expect(step.outputs).toEqual([{ name: 'counts', datatype: 'FP32', shape: [-1, 5] }]);
    const out = step.run({ text: { datatype: 'BYTES', shape: [3], data: [
      'Good, GOOD... but it does not work',
      'not bad, I don\u2019t mind',
      '',
    ] } });
    expect(out['counts']?.shape).toEqual([3, 5]);
    expect(Array.from(out['counts']?.data as Float32Array)).toEqual([
      2, 0, 1, 0, 0,
      0, 1, 0, 1, 1,
      0, 0, 0, 0, 0,
    ]);
    expect(out['text']).toBeDefined();
  });

  it('keeps case when lowercase is false', async () => {
    const step = await create({ lowercase: false });
    const out = step.run({ text: { datatype: 'BYTES', shape: [1], data: ['Good good'] } });
    expect(Array.from(out['counts']?.data as Float32Array)).toEqual([1, 0, 0, 0, 0]);
  });

  it('refuses a vocabulary path that leaves the model folder', async () => {
    await expect(create({ vocabulary: '../vocab.json' })).rejects.toBeInstanceOf(PathTraversalError);
    await expect(create({ vocabulary: path.join(dir, 'vocab.json') })).rejects.toBeInstanceOf(PathTraversalError);
  });

  it.each(['missing.json', 'broken.json', 'numbers.json', 'dupes.json'])('refuses vocabulary %s with IM_PROCESSING_FILE', async (file) => {
    const error = await create({ vocabulary: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessingFileError);
    expect((error as ProcessingFileError).cause).toBeDefined();
  });

  it('refuses a non-string row at run time', async () => {
    const step = await create();
    const data = ['ok', 3] as unknown as string[];
    expect(() => step.run({ text: { datatype: 'BYTES', shape: [2], data } })).toThrow(BadInputError);
  });

  it('refuses unknown options', () => {
    expect(TokenizeOptionsSchema.safeParse({ vocabulary: 'v', input: 'a', output: 'b', lowercse: true }).success).toBe(false);
  });
});
