import { expectCodesDocumented } from '@infermesh/foundation/testing';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { KV_STORE_ERROR_CODES, KvStoreError } from './errors.js';

describe('errors', () => {
  it('documents every error code in the README', () => {
    expectCodesDocumented(new URL('../README.md', import.meta.url), KV_STORE_ERROR_CODES);
  });

  it('has one exported subclass per code, each preserving its cause', () => {
    const classes = Object.values(api).filter((v: unknown) => typeof v === 'function' && v.prototype instanceof KvStoreError);
    const cause = new Error('root');
    const samples: KvStoreError[] = [
      new api.StoreClosedError({ cause }), new api.ValueTooLargeError('k', 2, 1, { cause }), new api.CodecError('encode', 'k', { cause }),
      new api.BackendUnavailableError('get', { cause }), new api.AbortedError('k', { cause }), new api.PersistenceError('x', { cause }),
    ];
    expect(classes).toHaveLength(KV_STORE_ERROR_CODES.length);
    expect(samples.map((e) => e.code).sort()).toEqual([...KV_STORE_ERROR_CODES].sort());
    for (const e of samples) {
      expect(e).toBeInstanceOf(Error);
      expect(e.cause).toBe(cause);
      expect(e.name).toBe(e.constructor.name);
    }
  });

  it('wraps codec failures', async () => {
    const store = new api.MemoryStore<bigint>({ maxBytes: 100, codec: api.jsonCodec() });
    await expect(store.set('k', 1n)).rejects.toBeInstanceOf(api.CodecError);
  });
});
