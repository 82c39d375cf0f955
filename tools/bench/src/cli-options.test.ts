import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCHING_ARGS, parseBenchArgs } from './cli-options.js';

describe('parseBenchArgs', () => {
  it('defaults to the short mode', () => {
    expect(parseBenchArgs([])).toMatchObject({ mode: 'short', durationS: 4, levels: [1, 16, 64], coordinatorArgs: [], batchingArgs: DEFAULT_BATCHING_ARGS });
  });
  it('sweeps more connections for longer in full mode', () => {
    expect(parseBenchArgs(['--full'])).toMatchObject({ mode: 'full', durationS: 10, levels: [1, 4, 16, 64, 256] });
  });
  it('passes coordinator flags through, split on spaces, in both spellings', () => {
    const o = parseBenchArgs(['--coordinator-args', '--max-in-flight 8192', '--batching-args=--batch-max-size 32', '--duration', '2']);
    expect(o.coordinatorArgs).toEqual(['--max-in-flight', '8192']);
    expect(o.batchingArgs).toEqual(['--batch-max-size', '32']);
    expect(o.durationS).toBe(2);
  });
  it('names a bad flag or value', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown flag "--fast"/);
    expect(() => parseBenchArgs(['--duration', '0'])).toThrow(RangeError);
    expect(() => parseBenchArgs(['--out'])).toThrow(/--out needs a value/);
  });
});
