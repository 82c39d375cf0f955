import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deferLines, DeferredLines } from './deferred-lines.js';

function sink() {
  const writes: string[] = [];
  return { writes, target: { write: (s: string) => void writes.push(s) } };
}

describe('DeferredLines', () => {
  it('holds deferred lines up to flushMs and writes them in one call; another line takes them along, in order', async () => {
    const { writes, target } = sink();
    const stream = new DeferredLines(target, 50, 1024);
    deferLines(() => stream.write('a\n'));
    deferLines(() => stream.write('b\n'));
    expect(writes).toEqual([]);
    await new Promise((r) => setTimeout(r, 120));
    expect(writes).toEqual(['a\nb\n']);
    deferLines(() => stream.write('c\n'));
    stream.write('now\n');
    expect(writes).toEqual(['a\nb\n', 'c\nnow\n']);
    // Nothing left for the timer.
    await new Promise((r) => setTimeout(r, 120));
    expect(writes).toHaveLength(2);
  });

  it('writes at once when flushBytes are held, and every line at once with flushMs 0', () => {
    const held = sink();
    const stream = new DeferredLines(held.target, 60_000, 8);
    deferLines(() => stream.write('1234\n'));
    expect(held.writes).toEqual([]);
    deferLines(() => stream.write('5678\n'));
    expect(held.writes).toEqual(['1234\n5678\n']);
    const direct = sink();
    const off = new DeferredLines(direct.target, 0, 8);
    deferLines(() => off.write('x\n'));
    expect(direct.writes).toEqual(['x\n']);
  });
});

describe('createLogger on standard output, with flushMs', () => {
  /** A child that writes one access line and one other line, then 3000 access lines 1.5 s later, and exits: each line as it reached the pipe, with its arrival (ms after the first was written). */
  async function child(flushMs: number): Promise<Array<{ msg: string; atMs: number }>> {
    const src = (file: string) => JSON.stringify(fileURLToPath(new URL(file, import.meta.url)));
    const script = `
      import { createLogger } from ${src('./logger.ts')};
      import { AccessLog } from ${src('./access-log.ts')};
      const log = createLogger({ flushMs: ${flushMs} });
      const access = new AccessLog(log);
      const entry = { protocol: 'http', method: 'POST', route: '/x', status: 200, code: 'ok', duration_ms: 1 };
      process.stderr.write('start\\\\n');
      access.record(entry);
      setTimeout(() => log.info('other'), 700);
      setTimeout(() => { for (let i = 0; i < 3000; i++) access.record(entry); process.exit(0); }, 1500);`;
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let startedAt = 0;
    proc.stderr.on('data', () => (startedAt ||= performance.now()));
    const lines: Array<{ msg: string; atMs: number }> = [];
    let rest = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts) lines.push({ msg: (JSON.parse(line) as { msg: string }).msg, atMs: performance.now() - startedAt });
    });
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    expect(code).toBe(0);
    return lines;
  }

  it('an access line waits at most about flushMs, another line goes out at once, and every line is written at exit', async () => {
    const lines = await child(200);
    expect(lines.map((l) => l.msg).slice(0, 2)).toEqual(['request', 'other']);
    expect(lines.filter((l) => l.msg === 'request')).toHaveLength(3001);
    // The first access line waited for the timer (200 ms), which wrote it long before the other line (700 ms) and the exit.
    expect(lines[0]!.atMs).toBeGreaterThan(150);
    expect(lines[0]!.atMs).toBeLessThan(600);
    expect(lines[1]!.atMs).toBeGreaterThan(600);
  }, 30_000);
});
