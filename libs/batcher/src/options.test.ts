import { describe, expect, it } from 'vitest';
import { Batcher, BatcherOptionsSchema, BatchPolicySchema } from './index.js';

const run = (items: number[]) => items;

describe('options', () => {
  it('fills defaults once', () => {
    expect(BatchPolicySchema.parse({})).toEqual({
      maxBatchSize: 64, maxDelayMs: 5, maxQueue: 4096, maxInFlightBatches: 1, sendAtOnceBelow: 0, gatherTurn: false, preferredBatchSizes: [], deadlineMarginMs: 0,
    });
    expect(BatcherOptionsSchema.parse({ run }).maxBatchSize).toBe(64);
    const b = new Batcher<number, number>({ run, preferredBatchSizes: [32, 8, 32] });
    expect(b.policy()).toMatchObject({ maxBatchSize: 64, preferredBatchSizes: [8, 32] });
  });

  it('throws RangeError for a value out of range, with an exact message', () => {
    expect(() => new Batcher<number, number>({ run, maxBatchSize: 0 })).toThrow(
      new RangeError('Invalid batcher option "maxBatchSize": Too small: expected number to be >=1'),
    );
    expect(() => new Batcher<number, number>({ run, maxDelayMs: -1 })).toThrow(
      new RangeError('Invalid batcher option "maxDelayMs": Too small: expected number to be >=0'),
    );
    expect(() => new Batcher<number, number>({ run, maxBatchSize: 8, preferredBatchSizes: [4, 16] })).toThrow(
      new RangeError('Invalid batcher option "preferredBatchSizes.1": must be <= maxBatchSize'),
    );
    const b = new Batcher<number, number>({ run, maxBatchSize: 8, preferredBatchSizes: [8] });
    expect(() => b.configure('k', { maxBatchSize: 4 })).toThrow(
      new RangeError('Invalid batcher policy for "k" option "preferredBatchSizes.0": must be <= maxBatchSize'),
    );
    expect(b.policy('k').maxBatchSize).toBe(8);
  });

  it('throws TypeError for a wrong type, a missing runner or an unknown key', () => {
    expect(() => new Batcher<number, number>({ run, maxQueue: '5' as unknown as number })).toThrow(
      new TypeError('Invalid batcher option "maxQueue": Invalid input: expected number, received string'),
    );
    expect(() => new Batcher<number, number>({} as never)).toThrow(new TypeError('Invalid batcher option "run": expected a function'));
    expect(() => new Batcher<number, number>({ run, maxBatch: 5 } as never)).toThrow(
      new TypeError('Invalid batcher option "(root)": Unrecognized key: "maxBatch"'),
    );
    expect(() => new Batcher<number, number>({ run, clock: { now: () => 0 } as never })).toThrow(
      new TypeError('Invalid batcher option "clock": expected { now, setTimeout, clearTimeout }'),
    );
    expect(() => new Batcher<number, number>({ run, maxBatchSize: 2.5 })).toThrow(TypeError);
  });
});
