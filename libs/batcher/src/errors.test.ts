import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { BATCHER_ERROR_CODES, BatcherError } from './errors.js';

describe('errors', () => {
  it('documents every error code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), BATCHER_ERROR_CODES);
  });

  it('has one exported subclass per code, each preserving its cause', () => {
    const classes = Object.values(api).filter((v: unknown) => typeof v === 'function' && v.prototype instanceof BatcherError);
    const cause = new Error('root');
    const samples: BatcherError[] = [
      new api.QueueFullError('k', 1, { cause }), new api.BatcherDeadlineError('k', 1, true, { cause }),
      new api.BatcherAbortedError('k', true, { cause }), new api.BatcherClosedError({ cause }),
      new api.ItemTooLargeError('k', 2, 1, { cause }), new api.ResultMismatchError('k', 2, 1, { cause }),
    ];
    expect(classes).toHaveLength(BATCHER_ERROR_CODES.length);
    expect(samples.map((e) => e.code).sort()).toEqual([...BATCHER_ERROR_CODES].sort());
    for (const e of samples) {
      expect(e).toBeInstanceOf(Error);
      expect(e.cause).toBe(cause);
      expect(e.name).toBe(e.constructor.name);
    }
  });
});
