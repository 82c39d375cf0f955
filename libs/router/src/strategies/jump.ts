import { DuplicateNodeError, NoNodeError, UnknownNodeError } from '../errors.js';
import { defaultHash, fmix32, toUnit, type Hasher } from '../hash.js';
import { checkWeight, parseOptions, ShardingOptionsSchema, type ShardingOptions } from '../options.js';
import { checkCount, type ShardingStrategy } from '../strategy.js';

/**
 * Jump consistent hash (Lamping & Veach, 2014): O(ln n) time, no memory, and when the bucket count grows
 * from n to n+1 only keys moving to bucket n move. The random sequence is a 32-bit splitmix seeded by the
 * key hash instead of the paper's 64-bit LCG (JavaScript has no fast 64-bit multiply); the property above
 * holds for any per-key sequence.
 */
export function jumpHash(keyHash: number, buckets: number): number {
  let b = -1;
  let j = 0;
  let state = keyHash >>> 0;
  while (j < buckets) {
    b = j;
    state = (state + 0x9e37_79b9) >>> 0;
    j = Math.floor((b + 1) / toUnit(fmix32(state)));
  }
  return b;
}

/**
 * Jump hash over a stable slot table. Jump hash can only drop its last bucket, so removing a node leaves
 * a tombstone in its slots instead of renumbering them. A key that lands on a tombstone is rehashed with
 * the next seed and jumps again, until it lands on a live slot: keys of live nodes never move on removal,
 * and the removed node's keys spread evenly over the rest. `add` fills tombstones first, then appends
 * slots; either way keys only move to the new node. A node of integer weight w holds w slots.
 * Cost: expected slots/live jumps per lookup, so a table that has lost most of its nodes gets slower.
 */
export class JumpStrategy implements ShardingStrategy {
  readonly name = 'jump' as const;
  #hash: Hasher;
  #slots: (string | undefined)[] = [];
  #owned = new Map<string, number[]>();
  #live = 0;

  constructor(options?: ShardingOptions) {
    const parsed = parseOptions(ShardingOptionsSchema, options ?? {}, 'sharding');
    this.#hash = parsed.hash ?? defaultHash();
  }

  get nodes(): readonly string[] {
    return [...this.#owned.keys()];
  }

  get size(): number {
    return this.#owned.size;
  }

  /** Slots in the table, live and tombstoned. */
  get slots(): number {
    return this.#slots.length;
  }

  has(node: string): boolean {
    return this.#owned.has(node);
  }

  add(node: string, weight = 1): void {
    checkWeight(weight, this.name, true);
    if (this.#owned.has(node)) throw new DuplicateNodeError(node);
    const mine: number[] = [];
    for (let i = 0; i < this.#slots.length && mine.length < weight; i++) {
      if (this.#slots[i] === undefined) {
        this.#slots[i] = node;
        mine.push(i);
      }
    }
    while (mine.length < weight) {
      mine.push(this.#slots.length);
      this.#slots.push(node);
    }
    this.#owned.set(node, mine);
    this.#live += weight;
  }

  remove(node: string): void {
    const mine = this.#owned.get(node);
    if (mine === undefined) throw new UnknownNodeError(node);
    for (const i of mine) this.#slots[i] = undefined;
    this.#owned.delete(node);
    this.#live -= mine.length;
    if (this.#live === 0) this.#slots = [];
  }

  lookup(key: string): string {
    if (this.#live === 0) throw new NoNodeError('jump strategy');
    return this.#next(this.#hash(key), undefined);
  }

  /** Candidate i is where the key goes if candidates 0..i-1 were removed: the same rehash chain. */
  candidates(key: string, n: number): string[] {
    checkCount(n);
    const out: string[] = [];
    if (this.#live === 0) return out;
    const want = Math.min(n, this.#owned.size);
    const taken = new Set<string>();
    const h = this.#hash(key);
    while (out.length < want) {
      const node = this.#next(h, taken);
      out.push(node);
      taken.add(node);
    }
    return out;
  }

  #next(keyHash: number, taken: ReadonlySet<string> | undefined): string {
    const slots = this.#slots;
    const count = slots.length;
    // Expected attempts are count / live; the cap only guards against a pathological hash.
    const maxAttempts = 64 + 8 * count;
    let b = 0;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const h = attempt === 0 ? keyHash : fmix32(keyHash ^ Math.imul(attempt, 0x9e37_79b1));
      b = jumpHash(h, count);
      const node = slots[b];
      if (node !== undefined && (taken === undefined || !taken.has(node))) return node;
    }
    for (let i = 1; i <= count; i++) {
      const node = slots[(b + i) % count];
      if (node !== undefined && (taken === undefined || !taken.has(node))) return node;
    }
    throw new NoNodeError('jump strategy');
  }
}
