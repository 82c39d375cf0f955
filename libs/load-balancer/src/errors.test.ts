import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { LOAD_BALANCER_ERROR_CODES, LoadBalancerError } from './errors.js';

describe('errors', () => {
  it('documents every error code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), LOAD_BALANCER_ERROR_CODES);
  });

  it('has one exported subclass per code, each preserving its cause', () => {
    const classes = Object.values(api).filter((v: unknown) => typeof v === 'function' && v.prototype instanceof LoadBalancerError);
    const cause = new Error('root');
    const samples: LoadBalancerError[] = [
      new api.NoEndpointError(3, 1, { cause }),
      new api.UnknownEndpointError('a', { cause }),
      new api.DuplicateEndpointError('a', { cause }),
      new api.LoadBalancerClosedError({ cause }),
      new api.AtCapacityError({ cause }),
      new api.AcquireTimeoutError(5, { cause }),
      new api.AcquireAbortedError({ cause }),
    ];
    expect(classes).toHaveLength(LOAD_BALANCER_ERROR_CODES.length);
    expect(samples.map((e) => e.code).sort()).toEqual([...LOAD_BALANCER_ERROR_CODES].sort());
    for (const e of samples) {
      expect(e).toBeInstanceOf(Error);
      expect(e.cause).toBe(cause);
      expect(e.name).toBe(e.constructor.name);
    }
  });
});
