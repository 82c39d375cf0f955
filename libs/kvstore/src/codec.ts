import { Packr } from 'msgpackr';
import { CodecError } from './errors.js';

/** Turns values into bytes and back, for SQLite, Redis and byte-size accounting. */
export interface Codec<V> {
  readonly name: string;
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
}

/**
 * msgpack via msgpackr. `moreTypes` makes typed arrays, Buffers, Maps, Sets and Dates round-trip;
 * `useRecords: false` keeps every message self-describing, so another process (sharing Redis) or a
 * later run (reopening SQLite) decodes it without shared record structures.
 */
export function msgpackCodec<V = unknown>(): Codec<V> {
  const packr = new Packr({ moreTypes: true, useRecords: false });
  return {
    name: 'msgpack',
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes) as V,
  };
}

/** JSON text as UTF-8: readable in `redis-cli`, but typed arrays, Buffers, Maps and bigint do not survive. */
export function jsonCodec<V = unknown>(): Codec<V> {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    name: 'json',
    encode: (value) => {
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError('value is not representable as JSON');
      return encoder.encode(text);
    },
    decode: (bytes) => JSON.parse(decoder.decode(bytes)) as V,
  };
}

/**
 * The bytes a persistent tier stores for `key`: encoded, as a Buffer without copying (better-sqlite3
 * binds a Buffer as a BLOB; ioredis sends it binary-safe). A codec failure is a `CodecError`.
 */
export function encodeEntry<V>(codec: Codec<V>, key: string, value: V): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(value);
  } catch (error) {
    throw new CodecError('encode', key, { cause: error });
  }
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The value a persistent tier stored for `key`; bytes that do not decode are a `CodecError`. */
export function decodeEntry<V>(codec: Codec<V>, key: string, bytes: Uint8Array): V {
  try {
    return codec.decode(bytes);
  } catch (error) {
    throw new CodecError('decode', key, { cause: error });
  }
}
