import { describe, expect, it } from 'vitest';
import { createError, errorBase } from './create-error.js';

type ShopCode = 'IM_SHOP_EMPTY' | 'IM_SHOP_FULL' | 'IM_SHOP_READ';
class ShopError extends errorBase<ShopCode>('ShopError') {}
class ShopEmptyError extends createError(ShopError, 'IM_SHOP_EMPTY', 'ShopEmptyError', () => 'the shop is empty') {}
class ShopFullError extends createError(ShopError, 'IM_SHOP_FULL', 'ShopFullError', (shop: string, max: number) => `${shop} is full (${max})`, (shop, max) => ({ shop, max })) {}
class ShopReadError extends createError(ShopError, 'IM_SHOP_READ', 'ShopReadError', (file: string, cause: unknown) => ({ message: `cannot read ${file}`, cause })) {}

describe('createError', () => {
  it('builds one class per code: name, code, message, fields, instanceof', () => {
    const e = new ShopFullError('corner', 3);
    expect(e).toBeInstanceOf(ShopFullError);
    expect(e).toBeInstanceOf(ShopError);
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(ShopEmptyError);
    expect([e.name, e.code, e.message, e.shop, e.max]).toEqual(['ShopFullError', 'IM_SHOP_FULL', 'corner is full (3)', 'corner', 3]);
    expect(e.name).toBe(e.constructor.name);
    const code: 'IM_SHOP_FULL' = e.code; // typed as the class's own code
    expect(code).toBe('IM_SHOP_FULL');
    expect(e.stack).toContain('corner is full');
  });

  it('takes { cause } after the message arguments, and a positional cause from the message function', () => {
    const cause = new Error('root');
    expect(new ShopEmptyError({ cause }).cause).toBe(cause);
    expect(new ShopFullError('a', 1, { cause }).cause).toBe(cause);
    expect(new ShopFullError('a', 1).cause).toBeUndefined();
    const read = new ShopReadError('f.txt', cause);
    expect([read.message, read.cause]).toEqual(['cannot read f.txt', cause]);
  });

  it('gives the base its own name and code', () => {
    const e = new ShopError('IM_SHOP_FULL', 'raw', { cause: 1 });
    expect([e.name, e.code, e.message, e.cause]).toEqual(['ShopError', 'IM_SHOP_FULL', 'raw', 1]);
  });
});
