import { z } from 'zod/v4';
import type { TensorMap, TensorSpec } from '@infermesh/contracts';
import { BadInputError, ProcessingFileError } from '../errors.js';
import { readModelFile } from '../model-file.js';
import { readInput } from '../spec-check.js';
import { TensorNameSchema, type StepDefinition, type SyncStepInstance } from '../step.js';
import { Tokenizer } from '../tokenizer.js';

const STEP = 'tokenize@1.0.0';

export const TokenizeOptionsSchema = z.strictObject({
  /** A JSON array of terms, a file inside the model version folder. */
  vocabulary: z.string().min(1).max(1024),
  input: TensorNameSchema,
  output: TensorNameSchema,
  lowercase: z.boolean().default(true),
});
export type TokenizeOptions = z.input<typeof TokenizeOptionsSchema>;

const VocabularySchema = z.array(z.string()).min(1).max(1_000_000);

/** `tokenize`: BYTES [N] texts to FP32 [N, V] bag-of-words counts over the vocabulary file's terms. */
export const tokenizeStep: StepDefinition<z.output<typeof TokenizeOptionsSchema>, SyncStepInstance> = {
  name: 'tokenize',
  version: '1.0.0',
  optionsSchema: TokenizeOptionsSchema,
  async create(options, context): Promise<SyncStepInstance> {
    const text = await readModelFile(context.dir, options.vocabulary);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new ProcessingFileError(options.vocabulary, 'is not JSON', { cause });
    }
    const terms = VocabularySchema.safeParse(json);
    if (!terms.success) {
      throw new ProcessingFileError(options.vocabulary, 'is not a non-empty JSON array of strings', { cause: terms.error });
    }
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(terms.data, { lowercase: options.lowercase });
    } catch (cause) {
      throw new ProcessingFileError(options.vocabulary, cause instanceof Error ? cause.message : String(cause), { cause });
    }
    const size = tokenizer.size;
    const input: TensorSpec = { name: options.input, datatype: 'BYTES', shape: [-1] };
    const output: TensorSpec = { name: options.output, datatype: 'FP32', shape: [-1, size] };
    return {
      inputs: [input],
      outputs: [output],
      run(inputs: TensorMap): TensorMap {
        const x = readInput(STEP, inputs, { ...input, datatype: 'BYTES' });
        const rows = x.shape[0] as number;
        const counts = new Float32Array(rows * size);
        x.data.forEach((row, r) => {
          if (typeof row !== 'string') throw new BadInputError(STEP, input.name, `row ${r} is not a string`);
          tokenizer.countInto(row, counts, r * size);
        });
        return { ...inputs, [output.name]: { datatype: 'FP32', shape: [rows, size], data: counts } };
      },
    };
  },
};
