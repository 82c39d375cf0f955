import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_FLUSH_MS, stdoutStream } from './stdout-stream.js';

const children: ChildProcess[] = [];
// A child that hangs (the defect) fails its test and is not left behind.
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/**
 * A real child process logging to its standard output through createLogger: it says `ready` on stderr,
 * and on `go` (IPC) writes `lines` lines and calls process.exit(0) at once, the writes still in flight.
 */
function logger(lines: number) {
  const src = JSON.stringify(fileURLToPath(new URL('./logger.ts', import.meta.url)));
  const script = `
    import { createLogger } from ${src};
    const log = createLogger();
    process.on('message', () => {
      for (let i = 0; i < ${lines}; i++) log.info({ i, pad: 'x'.repeat(200) }, 'line');
      process.exit(0);
    });
    process.stderr.write('ready\\n');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(child);
  const ready = once(child.stderr!, 'data');
  let goAt = 0;
  const exited = new Promise<{ code: number | null; afterMs: number }>((resolve) => child.on('exit', (code) => resolve({ code, afterMs: performance.now() - goAt })));
  const go = (): void => {
    goAt = performance.now();
    child.send('go');
  };
  return { child, ready, exited, go };
}

describe('stdoutStream, the logger\'s standard output', () => {
  it('a process whose reader goes away as it exits still exits at once (it hung, retrying the write, with sonic-boom 4)', async () => {
    const p = logger(2_000);
    await p.ready;
    // The reader goes away: every write from now on fails with EPIPE.
    p.child.stdout!.destroy();
    p.go();
    const { code, afterMs } = await p.exited;
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(EXIT_FLUSH_MS);
  }, 30_000);

  it('a process whose reader has stopped reading exits after at most EXIT_FLUSH_MS of waiting for it', async () => {
    // 4 MB of lines: more than a pipe holds, all of it left for the exit flush.
    const p = logger(16_000);
    await p.ready;
    // Nobody reads: the pipe and the stream's buffer fill, then the child's writes wait.
    p.go();
    const { code, afterMs } = await p.exited;
    expect(code).toBe(0);
    expect(afterMs).toBeGreaterThanOrEqual(EXIT_FLUSH_MS * 0.9);
    expect(afterMs).toBeLessThan(EXIT_FLUSH_MS + 5_000);
  }, 30_000);

  it('a reader that reads gets every line written before the exit, in order', async () => {
    const p = logger(16_000);
    let text = '';
    p.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const closed = once(p.child, 'close');
    await p.ready;
    p.go();
    expect((await p.exited).code).toBe(0);
    await closed;
    const got = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { i: number }).i);
    expect(got).toEqual(Array.from({ length: 16_000 }, (_, i) => i));
  }, 30_000);

  it('is one writer per process: every logger on standard output shares it', () => {
    expect(stdoutStream()).toBe(stdoutStream());
  });
});
