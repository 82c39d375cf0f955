import { describe, expect, it } from 'vitest';
import { AccessLog } from './access-log.js';
import { createLogger } from './logger.js';

function setup(sample: number, draws: number[] = []) {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ pretty: false, destination: { write: (line) => lines.push(JSON.parse(line)) } });
  let i = 0;
  const access = new AccessLog(log, { sample, random: () => draws[i++ % draws.length] ?? 0 });
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
});
