const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

function show(value: unknown): string {
  if (typeof value === 'string') return /^[\w.:/@-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * One pino JSON record as one human-readable line:
 * `12:00:01.234 INFO  coordinator: worker joined worker=w1 requestId=r7`. An error's stack follows
 * on its own lines, since that is what a person reading a terminal needs.
 */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toISOString().slice(11, 23) : '';
  const level = (LEVELS[record['level'] as number] ?? String(record['level'])).padEnd(5);
  const name = typeof record['name'] === 'string' ? ` ${record['name']}:` : '';
  const msg = typeof record['msg'] === 'string' ? ` ${record['msg']}` : '';
  let stack = '';
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (OMIT.has(key)) continue;
    const err = value as { stack?: unknown; message?: unknown } | null;
    if (key === 'err' && err && typeof err === 'object' && typeof err.stack === 'string') {
      stack = `\n    ${err.stack.split('\n').join('\n    ')}`;
      continue;
    }
    fields.push(`${key}=${show(value)}`);
  }
  return `${time} ${level}${name}${msg}${fields.length ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}
