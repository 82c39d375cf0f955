import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { requestTimeoutMs } from './request-deadline.js';

describe('requestTimeoutMs', () => {
  it('is undefined when the client asks for nothing', () => {
    expect(requestTimeoutMs({}, 30_000)).toBeUndefined();
    expect(requestTimeoutMs({ parameters: { other: 1 } }, 30_000)).toBeUndefined();
  });

  it('takes the header or the parameter, the shorter of both, capped by the limit', () => {
    expect(requestTimeoutMs({ header: '250' }, 30_000)).toBe(250);
    expect(requestTimeoutMs({ parameters: { timeout_ms: 400 } }, 30_000)).toBe(400);
    expect(requestTimeoutMs({ header: '900', parameters: { timeout_ms: '300' } }, 30_000)).toBe(300);
    expect(requestTimeoutMs({ header: '90000' }, 30_000)).toBe(30_000);
  });

  it.each([['0'], ['-5'], ['1.5'], ['abc'], [''], [true], [1.5], [0], [Number.MAX_VALUE]])('refuses %j with IM_BAD_REQUEST', (value) => {
    for (const source of [{ header: value }, { parameters: { timeout_ms: value as string | number | boolean } }]) {
      try {
        requestTimeoutMs(source, 30_000);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('IM_BAD_REQUEST');
      }
    }
  });
});
