import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, it } from 'vitest';
import { HOST_ERROR_CODES } from './errors.js';

describe('error codes', () => {
  it('every code is documented in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), HOST_ERROR_CODES);
  });
});
