import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuPerAnswer, groupCpuMs, parseCpuMs, processCpuMs, processTree, threadCpuMs } from './process-cpu.js';

describe('parseCpuMs', () => {
  it('adds utime and stime, even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (my app)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    expect(parseCpuMs(stat)).toBe(3000);
    expect(parseCpuMs('1 (x) S')).toBeUndefined();
  });
});

describe('processCpuMs', () => {
  it.runIf(process.platform === 'linux')('reads this process, and nothing for a process that is not there', () => {
    expect(processCpuMs(process.pid)).toBeGreaterThanOrEqual(0);
    expect(groupCpuMs([process.pid, process.pid])).toBeGreaterThanOrEqual(0);
    expect(processCpuMs(2 ** 30)).toBeUndefined();
    expect(groupCpuMs([process.pid, undefined])).toBeUndefined();
  });
});

describe('threadCpuMs', () => {
  it.runIf(process.platform === 'linux')('reads the main thread of this process, no more than the whole process, and counts it in a group', () => {
    const spin = performance.now() + 60;
    while (performance.now() < spin) Math.sqrt(Math.random());
    const main = threadCpuMs(process.pid, process.pid);
    const whole = processCpuMs(process.pid);
    expect(main).toBeGreaterThan(0);
    expect(main).toBeLessThanOrEqual(whole as number);
    expect(groupCpuMs([{ pid: process.pid, thread: process.pid }])).toBeGreaterThanOrEqual(main as number);
    expect(threadCpuMs(process.pid, 2 ** 30)).toBeUndefined();
    expect(threadCpuMs(undefined, 1)).toBeUndefined();
    expect(groupCpuMs([{ pid: process.pid, thread: 2 ** 30 }])).toBeUndefined();
  });
});

describe('processTree', () => {
  it('follows parent pids down from the root, and nothing else', () => {
    const proc = mkdtempSync(join(tmpdir(), 'im-proc-'));
    const stat = (pid: number, ppid: number, name = 'node'): void => {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), 'stat'), `${pid} (${name}) S ${ppid} ${pid} ${pid} 0 -1 0 0 0 0 0 5 5 0 0`);
    };
    stat(1, 0);
    stat(10, 1, 'python3 (ray)');
    stat(11, 10);
    stat(12, 1);
    stat(13, 11);
    mkdirSync(join(proc, 'self'));
    try {
      expect(processTree(10, proc).sort()).toEqual([10, 11, 13]);
      expect(processTree(12, proc)).toEqual([12]);
      expect(processTree(undefined, proc)).toEqual([]);
      expect(processTree(10, join(proc, 'missing'))).toEqual([]);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it.runIf(process.platform === 'linux')('finds a real child of this process', async () => {
    const child = spawn('sleep', ['30']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(processTree(process.pid)).toContain(child.pid);
    } finally {
      child.kill();
    }
  });
});

describe('cpuPerAnswer', () => {
  it.runIf(process.platform === 'linux')('divides the CPU a group spent during the step by its answers', async () => {
    const { result, perAnswer } = await cpuPerAnswer({ self: [process.pid] }, async () => {
      // Spend 200 ms of this process's CPU, then report 10 answers: about 20 ms each.
      const start = process.cpuUsage();
      while ((process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000 < 200) Math.sqrt(Math.random());
      return { ok: 10 };
    });
    expect(result.ok).toBe(10);
    expect(perAnswer?.self).toBeGreaterThanOrEqual(18);
    expect(perAnswer?.self).toBeLessThan(40);
  });

  it('gives no figure without answers or for a process it cannot read', async () => {
    expect((await cpuPerAnswer({ self: [process.pid] }, async () => ({ ok: 0 }))).perAnswer).toBeUndefined();
    expect((await cpuPerAnswer({ gone: [2 ** 30] }, async () => ({ ok: 5 }))).perAnswer).toBeUndefined();
  });
});
