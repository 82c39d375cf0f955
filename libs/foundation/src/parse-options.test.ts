import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { MAX_TIMER_MS, fn, parseOptions } from './parse-options.js';

const Schema = z
  .strictObject({ size: z.int().min(1).max(10).default(2), onDone: fn<() => void>('onDone').optional(), delayMs: z.number().max(MAX_TIMER_MS).default(0) })
  .superRefine((o, ctx) => {
    if (o.delayMs > 0 && o.size === 1) ctx.addIssue({ code: 'custom', path: ['delayMs'], message: 'needs size > 1', params: { range: true } });
  });

describe('parseOptions', () => {
  it('returns the parsed options with defaults', () => {
    expect(parseOptions(Schema, {}, 'shop')).toEqual({ size: 2, delayMs: 0 });
  });
  it('throws RangeError for a value out of range, naming the option', () => {
    expect(() => parseOptions(Schema, { size: 11 }, 'shop')).toThrow(new RangeError('Invalid shop option "size": Too big: expected number to be <=10'));
    expect(() => parseOptions(Schema, { size: 1, delayMs: 5 }, 'shop')).toThrow(RangeError);
  });
  it('throws TypeError for a wrong type or unknown key, (root) for the object itself', () => {
    expect(() => parseOptions(Schema, { onDone: 1 }, 'shop')).toThrow(new TypeError('Invalid shop option "onDone": expected a function (onDone)'));
    expect(() => parseOptions(Schema, { nope: 1 }, 'shop')).toThrow(new TypeError('Invalid shop option "(root)": Unrecognized key: "nope"'));
  });
});
