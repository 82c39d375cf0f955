import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { ROUTER_ERROR_CODES, RouterError } from './errors.js';

describe('errors', () => {
  it('documents every error code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), ROUTER_ERROR_CODES);
  });

  it('has one exported subclass per code, each preserving its cause', () => {
    const classes = Object.values(api).filter((v: unknown) => typeof v === 'function' && v.prototype instanceof RouterError);
    const cause = new Error('root');
    const samples: RouterError[] = [
      new api.NoNodeError('x', { cause }), new api.UnknownNodeError('n', { cause }), new api.DuplicateNodeError('n', { cause }),
      new api.UnknownTargetError('t', { cause }), new api.NoHealthyNodeError('k', ['a'], { cause }),
      new api.RetryBudgetExhaustedError({ cause }), new api.HashNotLoadedError({ cause }),
    ];
    expect(classes).toHaveLength(ROUTER_ERROR_CODES.length);
    expect(samples.map((e) => e.code).sort()).toEqual([...ROUTER_ERROR_CODES].sort());
    for (const e of samples) {
      expect(e).toBeInstanceOf(Error);
      expect(e.cause).toBe(cause);
      expect(e.name).toBe(e.constructor.name);
    }
  });
});
