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

interface KvStoreErrorOptions {
  cause?: unknown;
}

/** Base class of every error the kvstore throws or rejects with. */
export class KvStoreError extends Error {
  override name = 'KvStoreError';
  readonly code: KvStoreErrorCode;
  constructor(code: KvStoreErrorCode, message: string, options?: KvStoreErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** An operation was called after `close()`. */
export class StoreClosedError extends KvStoreError {
  override name = 'StoreClosedError';
  constructor(options?: KvStoreErrorOptions) {
    super('IM_KV_CLOSED', 'the store is closed', options);
  }
}

/** One value is larger than the byte bound of the tier that must hold it, so it could never be stored. */
export class ValueTooLargeError extends KvStoreError {
  override name = 'ValueTooLargeError';
  readonly bytes: number;
  readonly limit: number;
  constructor(key: string, bytes: number, limit: number, options?: KvStoreErrorOptions) {
    super('IM_KV_VALUE_TOO_LARGE', `value for "${key}" is ${bytes} bytes, over the ${limit}-byte bound`, options);
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** The codec could not encode a value, or could not decode stored bytes. */
export class CodecError extends KvStoreError {
  override name = 'CodecError';
  readonly operation: 'encode' | 'decode';
  constructor(operation: 'encode' | 'decode', key: string, options?: KvStoreErrorOptions) {
    super('IM_KV_CODEC', `could not ${operation} the value for "${key}"`, options);
    this.operation = operation;
  }
}

/** Redis could not be reached and the store was built with `redis.onUnavailable: 'throw'`. */
export class BackendUnavailableError extends KvStoreError {
  override name = 'BackendUnavailableError';
  constructor(operation: string, options?: KvStoreErrorOptions) {
    super('IM_KV_BACKEND_UNAVAILABLE', `redis is unavailable: ${operation} not done`, options);
  }
}

/** A `getOrCompute` caller's AbortSignal fired before the value was ready. `cause` is the signal's reason. */
export class AbortedError extends KvStoreError {
  override name = 'AbortedError';
  constructor(key: string, options?: KvStoreErrorOptions) {
    super('IM_KV_ABORTED', `getOrCompute("${key}") was aborted`, options);
  }
}

/** SQLite failed: the file could not be opened, or a write or flush failed. */
export class PersistenceError extends KvStoreError {
  override name = 'PersistenceError';
  constructor(message: string, options?: KvStoreErrorOptions) {
    super('IM_KV_PERSISTENCE', message, options);
  }
}
