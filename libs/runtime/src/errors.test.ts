import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import { RUNTIME_ERROR_CODES } from './errors.js';

describe('error codes', () => {
  it('documents every code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), RUNTIME_ERROR_CODES);
  });
});
