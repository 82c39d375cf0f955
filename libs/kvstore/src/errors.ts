import { createError, errorBase } from '@infermesh/foundation';

/**
 * Every failure the kvstore reports, as a code a caller can switch on without parsing messages.
 * The README documents each one; a test fails if one is missing there.
 */
export const KV_STORE_ERROR_CODES = [
  'IM_KV_CLOSED',
  'IM_KV_VALUE_TOO_LARGE',
  'IM_KV_CODEC',
  'IM_KV_BACKEND_UNAVAILABLE',
  'IM_KV_ABORTED',
  'IM_KV_PERSISTENCE',
] as const;
export type KvStoreErrorCode = (typeof KV_STORE_ERROR_CODES)[number];

/** Base class of every error the kvstore throws or rejects with. */
export class KvStoreError extends errorBase<KvStoreErrorCode>('KvStoreError') {}

/** An operation was called after `close()`. */
export class StoreClosedError extends createError(KvStoreError, 'IM_KV_CLOSED', 'StoreClosedError', () => 'the store is closed') {}

/** One value is larger than the byte bound of the tier that must hold it, so it could never be stored. */
export class ValueTooLargeError extends createError(KvStoreError, 'IM_KV_VALUE_TOO_LARGE', 'ValueTooLargeError', (key: string, bytes: number, limit: number) => `value for "${key}" is ${bytes} bytes, over the ${limit}-byte bound`, (_key, bytes, limit) => ({ bytes, limit })) {}

/** The codec could not encode a value, or could not decode stored bytes. */
export class CodecError extends createError(KvStoreError, 'IM_KV_CODEC', 'CodecError', (operation: 'encode' | 'decode', key: string) => `could not ${operation} the value for "${key}"`, (operation) => ({ operation })) {}

/** Redis could not be reached and the store was built with `redis.onUnavailable: 'throw'`. */
export class BackendUnavailableError extends createError(KvStoreError, 'IM_KV_BACKEND_UNAVAILABLE', 'BackendUnavailableError', (operation: string) => `redis is unavailable: ${operation} not done`) {}

/** A `getOrCompute` caller's AbortSignal fired before the value was ready. `cause` is the signal's reason. */
export class AbortedError extends createError(KvStoreError, 'IM_KV_ABORTED', 'AbortedError', (key: string) => `getOrCompute("${key}") was aborted`) {}

/** SQLite failed: the file could not be opened, or a write or flush failed. */
export class PersistenceError extends createError(KvStoreError, 'IM_KV_PERSISTENCE', 'PersistenceError', (message: string) => message) {}
