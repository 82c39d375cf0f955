import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedCpus, parseCpuList, pin, requireTaskset, splitCpus } from './cpu-placement.js';
import { processTree } from './load/process-cpu.js';

describe('parseCpuList and splitCpus', () => {
  it('reads the kernel CPU list format', () => {
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0-2,5,7-8\n')).toEqual([0, 1, 2, 5, 7, 8]);
    for (const bad of ['x', '3-1', '1-']) expect(() => parseCpuList(bad)).toThrow(/not a CPU list/);
  });
  it('gives the load generator the last CPU and the system the rest; nothing to split on one CPU', () => {
    expect(splitCpus([0, 1])).toEqual({ load: '1', system: '0' });
    expect(splitCpus([2, 3, 5, 6])).toEqual({ load: '6', system: '2,3,5' });
    expect(splitCpus([0])).toBeUndefined();
  });
});

describe('pin, on real processes', () => {
  const started: number[] = [];
  afterEach(() => {
    for (const pid of started.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('pins every thread of a child and of its child (the tree placeForMeasurement pins)', async () => {
    requireTaskset();
    const shell = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    started.push(shell.pid!);
    let tree: number[] = [];
    for (let i = 0; i < 100 && tree.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      tree = processTree(shell.pid);
    }
    expect(tree[0]).toBe(shell.pid);
    expect(tree).toHaveLength(2);
    started.push(tree[1]!);
    const target = allowedCpus()[0]!;
    for (const pid of tree) {
      expect(pin(pid, `${target}`)).toBe(true);
      expect(allowedCpus(pid)).toEqual([target]);
    }
  });

  it('answers false for a process that is gone', () => {
    const gone = spawn('true');
    return new Promise<void>((resolve) =>
      gone.once('exit', () => {
        expect(pin(gone.pid!, '0')).toBe(false);
        resolve();
      }),
    );
  });
});
