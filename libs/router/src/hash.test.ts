import { describe, expect, it, vi } from 'vitest';
import { combine32, defaultHash, fmix32, loadHash, toUnit } from './hash.js';

describe('hash', () => {
  it('throws HashNotLoadedError before loadHash() and xxHash32 after', async () => {
    expect(() => defaultHash()).toThrow(expect.objectContaining({ code: 'IM_ROUTER_HASH_NOT_LOADED' }));
    const hash = await loadHash();
    expect(defaultHash()).toBe(hash);
    expect(await loadHash()).toBe(hash);
    // xxHash32 reference values (seed 0): "" → 0x02cc5d05, "a" → 0x550d7456.
    expect(hash('')).toBe(0x02cc5d05);
    expect(hash('a')).toBe(0x550d7456);
    expect(hash('a', 1)).not.toBe(hash('a'));
  });

  it('shares the loaded hash with a second instance of the module (ESM and CJS builds in one process)', async () => {
    const first = await loadHash();
    vi.resetModules();
    const second = (await import('./hash.js')) as typeof import('./hash.js');
    expect(second.loadHash).not.toBe(loadHash); // really another module instance
    expect(second.defaultHash()).toBe(first);
    expect(await second.loadHash()).toBe(first);
  });

  it('maps to (0, 1) and mixes every bit', () => {
    expect(toUnit(0)).toBeGreaterThan(0);
    expect(toUnit(0xffff_ffff)).toBeLessThan(1);
    expect(fmix32(1)).not.toBe(fmix32(2));
    expect(combine32(1, 2)).not.toBe(combine32(2, 1));
  });
});
