import { describe, expect, it } from 'vitest';
import { InvalidTelemetryConfigError } from './errors.js';
import { componentLogger, createLogger, logLevelsFromEnv } from './logger.js';
import { prettyLine } from './pretty-line.js';

function sink(isTTY = false) {
  const lines: string[] = [];
  return { lines, destination: { isTTY, write: (line: string) => lines.push(line) } };
}

describe('createLogger', () => {
  it('writes structured JSON, and a child carries the request id on every record', () => {
    const { lines, destination } = sink();
    const log = createLogger({ name: 'coordinator', level: 'debug', destination, base: { role: 'c' } });
    const child = log.child({ requestId: 'r1', traceId: 'a'.repeat(32) });
    child.info({ model: 'm' }, 'request done');
    child.debug('detail');
    log.trace('hidden');
    expect(lines).toHaveLength(2);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ level: 30, name: 'coordinator', role: 'c', requestId: 'r1', traceId: 'a'.repeat(32), model: 'm', msg: 'request done' });
    expect(records[1]).toMatchObject({ level: 20, requestId: 'r1', msg: 'detail' });
    expect(typeof records[0]!['time']).toBe('number');
  });

  it('prints one readable line per record when pretty, or on a TTY outside CI', () => {
    const a = sink();
    createLogger({ name: 'worker', pretty: true, destination: a.destination }).child({ requestId: 'r7' }).warn({ rows: 3, note: 'two words' }, 'slow batch');
    expect(a.lines).toHaveLength(1);
    expect(a.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  worker: slow batch requestId=r7 rows=3 note="two words"\n$/);

    const tty = sink(true);
    createLogger({ destination: tty.destination, env: {} }).info('hi');
    expect(tty.lines[0]).toMatch(/ INFO  hi\n$/);
    const ci = sink(true);
    createLogger({ destination: ci.destination, env: { CI: 'true' } }).info('hi');
    expect(JSON.parse(ci.lines[0]!)).toMatchObject({ msg: 'hi' });
  });

  it('prints an error stack under its line', () => {
    const line = prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' } }));
    expect(line).toBe('00:00:00.000 ERROR failed\n    Error: boom\n        at x\n');
  });

  it('refuses an unknown level', () => {
    expect(() => createLogger({ level: 'loud' as never })).toThrow(TypeError);
  });
});

describe('per-component levels', () => {
  it('gives a component its own level and a `component` field; others keep the parent\'s level', () => {
    const { lines, destination } = sink();
    const log = createLogger({ level: 'info', destination });
    const access = componentLogger(log, 'access', { access: 'warn', grpc: 'debug' });
    const grpc = componentLogger(log, 'grpc', { access: 'warn', grpc: 'debug' });
    const http = componentLogger(log, 'http', { access: 'warn', grpc: 'debug' });
    access.info('sampled away');
    access.warn('kept');
    grpc.debug('grpc detail');
    http.debug('hidden');
    http.info('http info');
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((r) => [r['component'], r['msg']])).toEqual([
      ['access', 'kept'], ['grpc', 'grpc detail'], ['http', 'http info'],
    ]);
  });

  it('reads INFERMESH_LOG_LEVELS and refuses a malformed entry with IM_TELEMETRY_INVALID_CONFIG', () => {
    expect(logLevelsFromEnv({ INFERMESH_LOG_LEVELS: 'access=warn, grpc=debug' })).toEqual({ access: 'warn', grpc: 'debug' });
    expect(logLevelsFromEnv({})).toEqual({});
    for (const bad of ['access', 'access=loud', '=info', 'a=info=x']) {
      expect(() => logLevelsFromEnv({ INFERMESH_LOG_LEVELS: bad })).toThrow(InvalidTelemetryConfigError);
    }
  });
});
