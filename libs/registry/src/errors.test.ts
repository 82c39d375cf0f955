import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import { REGISTRY_ERROR_CODES } from './errors.js';

describe('error codes', () => {
  it('documents every code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), REGISTRY_ERROR_CODES);
  });
});
