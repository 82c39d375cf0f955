import { describe, expect, it } from 'vitest';
import { SCENARIOS } from './index.js';
import { SCENARIO_IDS } from './scenario.js';

describe('SCENARIOS', () => {
  it('runs each scenario --scenario can name, once, the floor first and the one that adds a worker last', () => {
    expect([...SCENARIOS.map((s) => s.id)].sort()).toEqual([...SCENARIO_IDS].sort());
    expect(SCENARIOS[0]?.id).toBe('floor');
    expect(SCENARIOS.at(-1)?.id).toBe('workers-scaling');
  });
});
