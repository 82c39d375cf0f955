import { ApiError } from '@infermesh/contracts';
import { describe, expect, it } from 'vitest';
import { requestDeadline } from './request-deadline.js';

describe('requestDeadline', () => {
  it('is now plus the coordinator limit when the client asks for nothing', () => {
    expect(requestDeadline({}, 30_000, 1_000)).toBe(31_000);
    expect(requestDeadline({ parameters: { other: 1 } }, 30_000, 1_000)).toBe(31_000);
  });

  it('takes the header or the parameter, the shorter of both, capped by the limit', () => {
    expect(requestDeadline({ header: '250' }, 30_000, 0)).toBe(250);
    expect(requestDeadline({ header: ['250', '900'] }, 30_000, 0)).toBe(250);
    expect(requestDeadline({ parameters: { timeout_ms: 400 } }, 30_000, 0)).toBe(400);
    expect(requestDeadline({ header: '900', parameters: { timeout_ms: '300' } }, 30_000, 0)).toBe(300);
    expect(requestDeadline({ header: '90000' }, 30_000, 0)).toBe(30_000);
  });

  it('takes what is left of a call\'s deadline (gRPC), the shortest with the others, capped by the limit', () => {
    expect(requestDeadline({ callMs: 120.5 }, 30_000, 0)).toBe(120.5);
    expect(requestDeadline({ callMs: 500, parameters: { timeout_ms: 200 } }, 30_000, 0)).toBe(200);
    expect(requestDeadline({ callMs: 90_000 }, 30_000, 0)).toBe(30_000);
  });

  it.each([[0], [-3], [Number.NaN]])('answers IM_TIMEOUT at once when a call has %j ms left', (callMs) => {
    expect(() => requestDeadline({ callMs }, 30_000, 0)).toThrow(expect.objectContaining({ code: 'IM_TIMEOUT' }));
  });

  it('is on the monotonic clock by default', () => {
    const before = performance.now();
    const d = requestDeadline({ header: '100' }, 30_000);
    expect(d).toBeGreaterThanOrEqual(before + 100);
    expect(d).toBeLessThanOrEqual(performance.now() + 100);
  });

  it.each([['0'], ['-5'], ['1.5'], ['abc'], [''], [true], [1.5], [0], [Number.MAX_VALUE]])('refuses %j with IM_BAD_REQUEST', (value) => {
    for (const source of [{ header: value }, { parameters: { timeout_ms: value as string | number | boolean } }]) {
      expect(() => requestDeadline(source, 30_000)).toThrow(expect.objectContaining({ code: 'IM_BAD_REQUEST' }));
      expect(() => requestDeadline(source, 30_000)).toThrow(ApiError);
    }
  });
});
