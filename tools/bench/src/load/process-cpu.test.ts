import { describe, expect, it } from 'vitest';
import { groupCpuMs, parseCpuMs, processCpuMs } from './process-cpu.js';

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
