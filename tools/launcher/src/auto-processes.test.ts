import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { autoProcesses } from './auto-processes.js';

describe('autoProcesses', () => {
  it('runs one coordinator process per core, at most two', () => {
    expect([1, 2, 3, 16].map((cores) => autoProcesses(cores))).toEqual([1, 2, 2, 2]);
    expect(autoProcesses()).toBe(Math.min(2, availableParallelism()));
  });
});
