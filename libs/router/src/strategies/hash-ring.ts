import { DuplicateNodeError, NoNodeError, UnknownNodeError } from '../errors.js';
import { defaultHash, type Hasher } from '../hash.js';
import { checkWeight, parseOptions, ShardingOptionsSchema, type ShardingOptions } from '../options.js';
import { checkCount, type ShardingStrategy } from '../strategy.js';

/**
 * Consistent hash ring (Karger et al.) with virtual nodes: a node of weight w owns round(vnodes·w) points,
 * point i of node n at `hash(n, seed = i)`. A key belongs to the first point clockwise from `hash(key)`,
 * found by binary search. Points are ordered by (position, node id), so the ring does not depend on the
 * order nodes were added in.
 */
export class HashRing implements ShardingStrategy {
  readonly name: 'ring' | 'bounded-load' = 'ring';
  #hash: Hasher;
  #vnodes: number;
  #weights = new Map<string, number>();
  #points = new Uint32Array(0);
  #owners: string[] = [];

  constructor(options?: ShardingOptions) {
    const parsed = parseOptions(ShardingOptionsSchema, options ?? {}, 'sharding');
    this.#hash = parsed.hash ?? defaultHash();
    this.#vnodes = parsed.vnodes;
  }

  get nodes(): readonly string[] {
    return [...this.#weights.keys()];
  }

  get size(): number {
    return this.#weights.size;
  }

  /** Number of points on the ring (the memory and rebuild cost). */
  get points(): number {
    return this.#points.length;
  }

  has(node: string): boolean {
    return this.#weights.has(node);
  }

  weight(node: string): number | undefined {
    return this.#weights.get(node);
  }

  add(node: string, weight = 1): void {
    checkWeight(weight, 'ring', false);
    if (this.#weights.has(node)) throw new DuplicateNodeError(node);
    this.#weights.set(node, weight);
    this.#rebuild();
  }

  remove(node: string): void {
    if (!this.#weights.delete(node)) throw new UnknownNodeError(node);
    this.#rebuild();
  }

  lookup(key: string): string {
    if (this.#owners.length === 0) throw new NoNodeError('hash ring');
    return this.#owners[this.#firstPoint(this.#hash(key))]!;
  }

  candidates(key: string, n: number): string[] {
    checkCount(n);
    const out: string[] = [];
    if (n === 0) return out;
    this.walk(key, (node) => {
      out.push(node);
      return out.length < n;
    });
    return out;
  }

  /**
   * Visits the distinct nodes clockwise from the key's position, first the owner, until `visit` returns
   * false or every node was visited. Bounded-load hashing uses it to skip full nodes without allocating.
   */
  walk(key: string, visit: (node: string) => boolean): void {
    const owners = this.#owners;
    const total = owners.length;
    if (total === 0) return;
    const distinct = this.#weights.size;
    const start = this.#firstPoint(this.#hash(key));
    const seen = new Set<string>();
    for (let i = 0; i < total && seen.size < distinct; i++) {
      const node = owners[(start + i) % total]!;
      if (seen.has(node)) continue;
      seen.add(node);
      if (!visit(node)) return;
    }
  }

  #firstPoint(h: number): number {
    const points = this.#points;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === points.length ? 0 : lo;
  }

  #rebuild(): void {
    const entries: { point: number; node: string }[] = [];
    for (const [node, weight] of this.#weights) {
      const count = Math.max(1, Math.round(this.#vnodes * weight));
      for (let i = 0; i < count; i++) entries.push({ point: this.#hash(node, i), node });
    }
    entries.sort((a, b) => a.point - b.point || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    this.#points = Uint32Array.from(entries, (e) => e.point);
    this.#owners = entries.map((e) => e.node);
  }
}
