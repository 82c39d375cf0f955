import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import {
  BadInputError, DuplicateStepError, InvalidOptionsError, PathTraversalError, PipelineMismatchError,
  PROCESSING_ERROR_CODES, ProcessingError, ProcessingFileError, StepFailedError, UnknownStepError,
} from './errors.js';

describe('errors', () => {
  it('documents every error code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), PROCESSING_ERROR_CODES);
  });

  it('gives each subclass its own code from the list, and keeps the cause', () => {
    const cause = new Error('root');
    const errors: ProcessingError[] = [
      new UnknownStepError('x', [], { cause }),
      new DuplicateStepError('x@1', { cause }),
      new InvalidOptionsError('x', 'bad', { cause }),
      new PipelineMismatchError('m', { step: 'x', tensor: 't', available: [] }, { cause }),
      new BadInputError('x', 't', 'bad', { cause }),
      new ProcessingFileError('f', 'bad', { cause }),
      new PathTraversalError('f', 'd', { cause }),
      new StepFailedError('x', 'bad', { cause }),
    ];
    expect(errors.map((e) => e.code).sort()).toEqual([...PROCESSING_ERROR_CODES].sort());
    for (const e of errors) {
      expect(e).toBeInstanceOf(ProcessingError);
      expect(e.cause).toBe(cause);
      expect(e.name).not.toBe('Error');
    }
  });
});
