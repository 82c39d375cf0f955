import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { TRANSPORT_ERROR_CODES, TransportError } from './errors.js';

describe('errors', () => {
  it('documents every error code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), TRANSPORT_ERROR_CODES);
  });

  it('has one exported subclass per code, each preserving its cause', () => {
    const classes = Object.values(api).filter((v: unknown) => typeof v === 'function' && v.prototype instanceof TransportError);
    const cause = new Error('root');
    const samples: TransportError[] = [
      new api.TimeoutError('m', 1, { cause }), new api.AbortedError('m', { cause }), new api.ClosedError(1000, '', { cause }),
      new api.NotConnectedError({ cause }), new api.BackpressureError('maxPendingCalls', 1, { cause }),
      new api.RemoteError('m', 'x', 'C', { cause }), new api.InvalidMessageError('m', 'local', 'x', { cause }),
      new api.MethodNotFoundError('m', { cause }), new api.UnauthorizedError({ cause }), new api.ProtocolError('x', 1008, { cause }),
      new api.HeartbeatTimeoutError(1, { cause }), new api.ReconnectExhaustedError(1, { cause }),
    ];
    expect(classes).toHaveLength(TRANSPORT_ERROR_CODES.length);
    expect(samples.map((e) => e.code).sort()).toEqual([...TRANSPORT_ERROR_CODES].sort());
    for (const e of samples) {
      expect(e).toBeInstanceOf(Error);
      expect(e.cause).toBe(cause);
      expect(e.name).toBe(e.constructor.name);
    }
  });
});
