import xxhash from 'xxhash-wasm';
import { HashNotLoadedError } from './errors.js';

/** A 32-bit string hash: returns an unsigned integer in [0, 2^32). `seed` picks an independent function. */
export type Hasher = (key: string, seed?: number) => number;

/**
 * The loaded hash lives on `globalThis` under a registered symbol, not in a module variable. The package
 * ships an ESM and a CommonJS build; an application that reaches both (its own `import`, a dependency's
 * `require`) gets two module instances, and a module variable would leave `loadHash()` in one invisible to
 * `defaultHash()` in the other (the dual-package hazard). Both builds, and any copy of the package, share
 * this one slot: the hash is the same xxHash32 whichever copy loaded it.
 */
const SLOT = Symbol.for('@infermesh/router/hash');

interface HashSlot {
  loaded?: Hasher;
  loading?: Promise<Hasher>;
}

function slot(): HashSlot {
  const holder = globalThis as typeof globalThis & { [SLOT]?: HashSlot };
  return (holder[SLOT] ??= {});
}

/**
 * Loads xxHash32 (xxhash-wasm: WebAssembly, no native build) once per process. WebAssembly can only be
 * instantiated asynchronously in every runtime, so this one `await` at startup is what lets every
 * strategy after it be built and queried synchronously.
 */
export function loadHash(): Promise<Hasher> {
  const state = slot();
  state.loading ??= xxhash().then(({ h32 }) => {
    const hash: Hasher = (key, seed = 0) => h32(key, seed);
    state.loaded = hash;
    return hash;
  });
  return state.loading;
}

/** The hash `loadHash()` resolved with; throws `HashNotLoadedError` before that. */
export function defaultHash(): Hasher {
  const { loaded } = slot();
  if (loaded === undefined) throw new HashNotLoadedError();
  return loaded;
}

/** murmur3's 32-bit finalizer: spreads every input bit over every output bit. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Combines a key hash and a node hash into one well-mixed 32-bit value, so rendezvous hashing costs one
 * string hash per lookup instead of one per node.
 */
export function combine32(a: number, b: number): number {
  return fmix32(Math.imul(a ^ 0x9e37_79b9, 0x01000193) ^ fmix32(b + 0x7f4a_7c15));
}

/** Maps a 32-bit value to the open interval (0, 1): never 0, never 1. */
export function toUnit(h: number): number {
  return (h + 0.5) / 4_294_967_296;
}
