import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCHING_ARGS, DEFAULT_PRE_WORDS, parseBenchArgs, USAGE } from './cli-options.js';
import { SCENARIO_IDS } from './scenarios/scenario.js';

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
  it('runs every scenario unless --scenario names some (repeatable, each once)', () => {
    expect(parseBenchArgs([]).scenarios).toEqual([]);
    expect(parseBenchArgs(['--scenario', 'placement']).scenarios).toEqual(['placement']);
    expect(parseBenchArgs(['--scenario', 'floor', '--scenario=placement', '--scenario', 'floor']).scenarios).toEqual(['floor', 'placement']);
    expect(() => parseBenchArgs(['--scenario', 'nope'])).toThrow(/unknown scenario "nope": one of floor, /);
    expect(() => parseBenchArgs(['--scenario'])).toThrow(/--scenario needs a value/);
  });
  it('takes the placement text lengths as a list or repeated, replacing the default', () => {
    expect(parseBenchArgs([]).preWords).toEqual(DEFAULT_PRE_WORDS);
    expect(parseBenchArgs(['--pre-words', '50']).preWords).toEqual([50]);
    expect(parseBenchArgs(['--pre-words', '20,2000', '--pre-words=20000', '--pre-words', '20']).preWords).toEqual([20, 2000, 20000]);
    for (const bad of ['0', '1.5', 'x', '20,', '100001']) expect(() => parseBenchArgs(['--pre-words', bad])).toThrow(RangeError);
  });
  it('documents every flag it takes and every scenario name', () => {
    for (const flag of ['--short', '--full', '--duration', '--coordinator-args', '--batching-args', '--cache-args', '--scenario', '--pre-words', '--cpus', '--out']) {
      expect(USAGE).toContain(flag);
    }
    for (const id of SCENARIO_IDS) expect(USAGE).toContain(id);
  });
  it('leaves CPU placement to the scheduler unless --cpus split', () => {
    expect(parseBenchArgs([]).cpus).toBe('shared');
    expect(parseBenchArgs(['--cpus', 'split']).cpus).toBe('split');
    expect(() => parseBenchArgs(['--cpus', 'half'])).toThrow(/--cpus must be shared or split, got "half"/);
  });
  it('names a bad flag or value', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown flag "--fast"/);
    expect(() => parseBenchArgs(['--duration', '0'])).toThrow(RangeError);
    expect(() => parseBenchArgs(['--out'])).toThrow(/--out needs a value/);
  });
});
