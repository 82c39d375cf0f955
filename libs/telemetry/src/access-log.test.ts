import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccessLog } from './access-log.js';
import { createLogger } from './logger.js';

function setup(sample: number, draws: number[] = [], summary: { summarisedCodes?: string[]; summaryWindowMs?: number } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ pretty: false, destination: { write: (line) => lines.push(JSON.parse(line)) } });
  let i = 0;
  const access = new AccessLog(log, { sample, random: () => draws[i++ % draws.length] ?? 0, ...summary });
  return { access, lines };
}

const entry = (code: string, status: number) => ({ protocol: 'http' as const, method: 'POST', route: '/v2/models/:name/infer', model: 'mlp', status, code, duration_ms: 1.5, trace_id: 'ab'.repeat(16) });

describe('AccessLog', () => {
  it('writes one line per request with the fields an operator greps for', () => {
    const { access, lines } = setup(1);
    access.record(entry('ok', 200));
    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'request', protocol: 'http', method: 'POST', route: '/v2/models/:name/infer', model: 'mlp', status: 200, code: 'ok', duration_ms: 1.5, trace_id: 'ab'.repeat(16) })]);
  });

  it('samples successful requests by the setting and always writes failures (warn for the client\'s, error for ours)', () => {
    const { access, lines } = setup(0.25, [0.1, 0.3, 0.9, 0.2]);
    for (let i = 0; i < 4; i++) access.record(entry('ok', 200));
    access.record(entry('IM_INVALID_INPUT', 400));
    access.record(entry('IM_WORKER_FAILED', 502), true);
    expect(lines.map((l) => [l['code'], l['level']])).toEqual([['ok', 30], ['ok', 30], ['IM_INVALID_INPUT', 40], ['IM_WORKER_FAILED', 50]]);
  });

  it('with sample 0 writes only failures', () => {
    const { access, lines } = setup(0);
    access.record(entry('ok', 200));
    access.record(entry('IM_TIMEOUT', 504), true);
    expect(lines.map((l) => l['code'])).toEqual(['IM_TIMEOUT']);
  });

  it('rejects a sample outside 0..1', () => {
    const log = createLogger({ level: 'silent' });
    expect(() => new AccessLog(log, { sample: 1.5 })).toThrow(RangeError);
  });

  describe('refusals of a summarised code', () => {
    afterEach(() => {
      vi.useRealTimers();
    });
    const codes = { summarisedCodes: ['IM_OVERLOADED', 'IM_RATE_LIMITED'], summaryWindowMs: 1000 };

    it('write the first of each code whole and the rest of the window as one counted line', () => {
      vi.useFakeTimers();
      const { access, lines } = setup(1, [], codes);
      for (let i = 0; i < 500; i++) access.record(entry('IM_OVERLOADED', 429));
      access.record(entry('IM_RATE_LIMITED', 429));
      access.record(entry('IM_INVALID_INPUT', 400));
      access.record(entry('IM_INVALID_INPUT', 400));
      expect(lines.map((l) => l['code'])).toEqual(['IM_OVERLOADED', 'IM_RATE_LIMITED', 'IM_INVALID_INPUT', 'IM_INVALID_INPUT']);
      vi.advanceTimersByTime(999);
      expect(lines).toHaveLength(4);
      vi.advanceTimersByTime(1);
      // The one rate-limited refusal was written whole; it has no summary.
      expect(lines.slice(4)).toEqual([expect.objectContaining({ level: 40, msg: 'requests refused', code: 'IM_OVERLOADED', count: 499, window_ms: 1000 })]);
      // A new window: the next refusal is written whole again.
      access.record(entry('IM_OVERLOADED', 429));
      expect(lines.at(-1)).toEqual(expect.objectContaining({ msg: 'request', code: 'IM_OVERLOADED', status: 429 }));
      vi.advanceTimersByTime(1000);
      expect(lines).toHaveLength(6);
    });

    it('flush writes the pending counts at once (at shutdown nothing is lost)', () => {
      vi.useFakeTimers();
      const { access, lines } = setup(1, [], codes);
      for (let i = 0; i < 3; i++) access.record(entry('IM_RATE_LIMITED', 429));
      access.flush();
      expect(lines.map((l) => [l['msg'], l['count']])).toEqual([['request', undefined], ['requests refused', 2]]);
      vi.advanceTimersByTime(5000);
      expect(lines).toHaveLength(2);
    });

    it('with a window of 0 every refusal is written whole', () => {
      const { access, lines } = setup(1, [], { ...codes, summaryWindowMs: 0 });
      for (let i = 0; i < 3; i++) access.record(entry('IM_OVERLOADED', 429));
      expect(lines.map((l) => l['msg'])).toEqual(['request', 'request', 'request']);
    });
  });
});
