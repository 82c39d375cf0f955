import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { processAlive as alive } from './process-alive.js';

const started: number[] = [];
const parents: ChildProcess[] = [];
afterEach(() => {
  for (const p of parents.splice(0)) p.kill('SIGKILL');
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

const SRC = JSON.stringify(fileURLToPath(new URL('./parent-channel.ts', import.meta.url)));

/**
 * Real processes: a parent (a plain `node -e`) starts a child running `childBody` after importing
 * `stopWithParent`, with or without an IPC channel. The child's standard output is this test's (so it is
 * still read when the parent is gone); each line it prints comes back here, the parent's first says the
 * child's pid.
 */
function family(childBody: string, ipc: boolean) {
  const child = `import { stopWithParent } from ${SRC};\n${childBody}`;
  const args = JSON.stringify(['--import', 'tsx', '--input-type=module', '-e', child]);
  const parentScript = `
    const c = require('node:child_process').spawn(process.execPath, ${args}, { stdio: ['ignore', 'inherit', 'inherit', ${ipc ? "'ipc'" : "'ignore'"}] });
    console.log('pid ' + c.pid);
    setInterval(() => {}, 1e6);`;
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  parents.push(parent);
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  createInterface({ input: parent.stdout! }).on('line', (line) => {
    lines.push(line);
    const pid = /^pid (\d+)$/.exec(line)?.[1];
    if (pid) started.push(Number(pid));
    for (const w of waiters.splice(0)) if (w.re.test(line)) w.resolve(line); else waiters.push(w);
  });
  const next = (re: RegExp, timeoutMs = 15_000): Promise<string> => {
    const seen = lines.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line ${re} within ${timeoutMs} ms; saw ${JSON.stringify(lines)}`)), timeoutMs);
      waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
    });
  };
  const childPid = async (): Promise<number> => Number((await next(/^pid \d+$/)).slice(4));
  return { parent, next, childPid };
}

// A child that serves (a timer keeps it alive) and says what stopWithParent returned and when it stopped.
const SERVING = `
  const serving = setInterval(() => {}, 1e6);
  console.log('watched ' + stopWithParent((reason) => { console.log('stopped: ' + reason); clearInterval(serving); }));`;

describe('stopWithParent', () => {
  it('stops the process when the parent that opened its IPC channel is SIGKILLed', async () => {
    const f = family(SERVING, true);
    const pid = await f.childPid();
    expect(await f.next(/^watched /)).toBe('watched true');
    f.parent.kill('SIGKILL');
    expect(await f.next(/^stopped: /)).toBe('stopped: parent gone');
    // Its stop cleared the last timer: the child ends (the channel does not hold it).
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  }, 30_000);

  it('leaves a process started without a channel alone: it serves on after its parent is gone', async () => {
    const f = family(SERVING, false);
    const pid = await f.childPid();
    expect(await f.next(/^watched /)).toBe('watched false');
    f.parent.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(alive(pid)).toBe(true);
  }, 30_000);

  it('stops at once when the parent went before it was called (while the app started)', async () => {
    const f = family(`
      const wait = setInterval(() => {
        if (process.connected) return;
        clearInterval(wait);
        console.log('watched ' + stopWithParent((reason) => console.log('stopped: ' + reason)));
      }, 20);
      console.log('starting');`, true);
    await f.childPid();
    await f.next(/^starting$/);
    f.parent.kill('SIGKILL');
    expect(await f.next(/^watched /)).toBe('watched true');
    expect(await f.next(/^stopped: /)).toBe('stopped: parent gone');
  }, 30_000);

  it('never keeps a process alive by itself: a child with nothing else to do exits, its parent still there', async () => {
    const f = family(`console.log('watched ' + stopWithParent(() => console.log('stopped')));`, true);
    const pid = await f.childPid();
    expect(await f.next(/^watched /)).toBe('watched true');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    expect(f.parent.exitCode).toBe(null);
  }, 30_000);
});
