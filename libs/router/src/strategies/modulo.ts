import { DuplicateNodeError, NoNodeError, UnknownNodeError } from '../errors.js';
import { defaultHash, type Hasher } from '../hash.js';
import { checkWeight, parseOptions, ShardingOptionsSchema, type ShardingOptions } from '../options.js';
import { checkCount, type ShardingStrategy } from '../strategy.js';

/**
 * `hash(key) % slots`: the baseline. Perfectly cheap and well spread, but changing the node count moves
 * almost every key (a fraction (N-1)/N), which is what the consistent strategies exist to avoid.
 * A node of integer weight w holds w slots.
 */
export class ModuloStrategy implements ShardingStrategy {
  readonly name = 'modulo' as const;
  #hash: Hasher;
  #weights = new Map<string, number>();
  #slots: string[] = [];

  constructor(options?: ShardingOptions) {
    const parsed = parseOptions(ShardingOptionsSchema, options ?? {}, 'sharding');
    this.#hash = parsed.hash ?? defaultHash();
  }

  get nodes(): readonly string[] {
    return [...this.#weights.keys()];
  }

  get size(): number {
    return this.#weights.size;
  }

  has(node: string): boolean {
    return this.#weights.has(node);
  }

  add(node: string, weight = 1): void {
    checkWeight(weight, this.name, true);
    if (this.#weights.has(node)) throw new DuplicateNodeError(node);
    this.#weights.set(node, weight);
    this.#rebuild();
  }

  remove(node: string): void {
    if (!this.#weights.delete(node)) throw new UnknownNodeError(node);
    this.#rebuild();
  }

  lookup(key: string): string {
    const slots = this.#slots;
    if (slots.length === 0) throw new NoNodeError('modulo strategy');
    return slots[this.#hash(key) % slots.length]!;
  }

  /** Failover walks the slots after the key's one (linear probing), skipping nodes already chosen. */
  candidates(key: string, n: number): string[] {
    checkCount(n);
    const slots = this.#slots;
    const out: string[] = [];
    if (slots.length === 0 || n === 0) return out;
    const start = this.#hash(key) % slots.length;
    const want = Math.min(n, this.#weights.size);
    for (let i = 0; i < slots.length && out.length < want; i++) {
      const node = slots[(start + i) % slots.length]!;
      if (!out.includes(node)) out.push(node);
    }
    return out;
  }

  #rebuild(): void {
    const slots: string[] = [];
    for (const [node, weight] of this.#weights) for (let i = 0; i < weight; i++) slots.push(node);
    this.#slots = slots;
  }
}
