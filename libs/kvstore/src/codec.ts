import { Packr } from 'msgpackr';

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
