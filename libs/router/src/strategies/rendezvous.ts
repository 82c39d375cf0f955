import { DuplicateNodeError, NoNodeError, UnknownNodeError } from '../errors.js';
import { combine32, defaultHash, toUnit, type Hasher } from '../hash.js';
import { checkWeight, parseOptions, ShardingOptionsSchema, type ShardingOptions } from '../options.js';
import { checkCount, type ShardingStrategy } from '../strategy.js';

/**
 * Rendezvous (highest random weight) hashing, Thaler & Ravishankar. Each node scores every key; the
 * highest score wins. Weighted with the logarithmic method (Schindelhauer & Schomaker):
 * score = -w / ln(u), u uniform in (0, 1) from (key, node), which gives each node a share ∝ w exactly
 * and moves only the keys a changed node wins or loses. O(N) per lookup, no memory beyond the node list.
 * Equal scores are broken by node id, so the answer does not depend on insertion order.
 */
export class RendezvousStrategy implements ShardingStrategy {
  readonly name = 'rendezvous' as const;
  #hash: Hasher;
  #names: string[] = [];
  #nodeHashes: number[] = [];
  #weights: number[] = [];
  #uniform = true;

  constructor(options?: ShardingOptions) {
    const parsed = parseOptions(ShardingOptionsSchema, options ?? {}, 'sharding');
    this.#hash = parsed.hash ?? defaultHash();
  }

  get nodes(): readonly string[] {
    return [...this.#names];
  }

  get size(): number {
    return this.#names.length;
  }

  has(node: string): boolean {
    return this.#names.includes(node);
  }

  add(node: string, weight = 1): void {
    checkWeight(weight, this.name, false);
    if (this.has(node)) throw new DuplicateNodeError(node);
    this.#names.push(node);
    this.#nodeHashes.push(this.#hash(node, 0x5eed));
    this.#weights.push(weight);
    this.#uniform = this.#weights.every((w) => w === this.#weights[0]);
  }

  remove(node: string): void {
    const i = this.#names.indexOf(node);
    if (i < 0) throw new UnknownNodeError(node);
    this.#names.splice(i, 1);
    this.#nodeHashes.splice(i, 1);
    this.#weights.splice(i, 1);
    this.#uniform = this.#weights.every((w) => w === this.#weights[0]);
  }

  lookup(key: string): string {
    const names = this.#names;
    if (names.length === 0) throw new NoNodeError('rendezvous strategy');
    const hk = this.#hash(key);
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < names.length; i++) {
      const score = this.#score(hk, i);
      if (score > bestScore || (score === bestScore && names[i]! < names[best]!)) {
        best = i;
        bestScore = score;
      }
    }
    return names[best]!;
  }

  /** The nodes by descending score: the next candidate is exactly where the key goes if the others leave. */
  candidates(key: string, n: number): string[] {
    checkCount(n);
    const names = this.#names;
    if (n === 0 || names.length === 0) return [];
    const hk = this.#hash(key);
    const scored = names.map((name, i) => ({ name, score: this.#score(hk, i) }));
    scored.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return scored.slice(0, n).map((s) => s.name);
  }

  #score(hk: number, i: number): number {
    const mixed = combine32(hk, this.#nodeHashes[i]!);
    // With equal weights the raw hash orders the same as -w/ln(u) and costs no logarithm.
    return this.#uniform ? mixed : -this.#weights[i]! / Math.log(toUnit(mixed));
  }
}
