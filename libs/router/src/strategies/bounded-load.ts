import { UnknownNodeError } from '../errors.js';
import { parseOptions, ShardingOptionsSchema, type ShardingOptions } from '../options.js';
import { checkCount, type ShardingStrategy } from '../strategy.js';
import { HashRing } from './hash-ring.js';

/** One active assignment of a key to a node. Release it when the work is done. */
export interface Lease {
  readonly key: string;
  readonly node: string;
  /** Gives the slot back; true the first time, false after (or if the node was removed meanwhile). */
  release(): boolean;
}

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, 2018) on a hash ring. Each
 * `assign(key)` is one unit of active work; it goes to the first node clockwise from the key whose load
 * is below its cap ⌈(1+ε)·(active+1)·w/W⌉ (w its weight, W the total), so no assignment ever pushes a
 * node above ⌈(1+ε)·mean⌉ (weighted mean).
 * A hot key overflows to its next ring neighbours instead of melting its owner.
 *
 * Leases are not moved once given: after releases shrink the mean, a node may sit above the new cap
 * until its own leases end, and it receives nothing new meanwhile. Removing a node drops its leases.
 */
export class BoundedLoadStrategy implements ShardingStrategy {
  readonly name = 'bounded-load' as const;
  readonly epsilon: number;
  #ring: HashRing;
  #loads = new Map<string, number>();
  #generation = new Map<string, number>();
  #active = 0;
  #nextGeneration = 0;
  #totalWeight = 0;

  constructor(options?: ShardingOptions) {
    const parsed = parseOptions(ShardingOptionsSchema, options ?? {}, 'sharding');
    this.epsilon = parsed.epsilon;
    this.#ring = new HashRing({ hash: parsed.hash, vnodes: parsed.vnodes });
  }

  get nodes(): readonly string[] {
    return this.#ring.nodes;
  }

  get size(): number {
    return this.#ring.size;
  }

  /** Active assignments over all nodes. */
  get active(): number {
    return this.#active;
  }

  /** The load cap the next assignment to `node` is held to: ⌈(1+ε)·(active+1)·w/W⌉. */
  capOf(node: string): number {
    return this.#capFor(this.#active + 1, node);
  }

  has(node: string): boolean {
    return this.#ring.has(node);
  }

  /** Active assignments of one node; 0 for an unknown one. */
  load(node: string): number {
    return this.#loads.get(node) ?? 0;
  }

  /** A copy of every node's active assignments. */
  loads(): Map<string, number> {
    return new Map(this.#loads);
  }

  add(node: string, weight = 1): void {
    this.#ring.add(node, weight);
    this.#totalWeight += weight;
    this.#loads.set(node, 0);
    this.#generation.set(node, this.#nextGeneration++);
  }

  remove(node: string): void {
    if (!this.#ring.has(node)) throw new UnknownNodeError(node);
    this.#totalWeight -= this.#ring.weight(node) ?? 0;
    this.#ring.remove(node);
    this.#active -= this.#loads.get(node) ?? 0;
    this.#loads.delete(node);
    this.#generation.delete(node);
  }

  /** The node `assign(key)` would pick now, without taking a slot. */
  lookup(key: string): string {
    if (this.#ring.size === 0) return this.#ring.lookup(key);
    const active = this.#active + 1;
    let chosen: string | undefined;
    this.#ring.walk(key, (node) => {
      if ((this.#loads.get(node) ?? 0) < this.#capFor(active, node)) chosen = node;
      return chosen === undefined;
    });
    // The caps sum to at least (1+ε)·active > active - 1 loads, so some node is below its cap.
    return chosen ?? this.#ring.lookup(key);
  }

  /** `lookup(key)` first, then the rest of the ring order, ignoring load. */
  candidates(key: string, n: number): string[] {
    checkCount(n);
    if (n === 0 || this.#ring.size === 0) return [];
    const first = this.lookup(key);
    const rest = this.#ring.candidates(key, this.#ring.size).filter((node) => node !== first);
    return [first, ...rest].slice(0, n);
  }

  /** Takes one slot on the node `lookup(key)` names. Throws NoNodeError when empty. */
  assign(key: string): Lease {
    const node = this.lookup(key);
    this.#loads.set(node, (this.#loads.get(node) ?? 0) + 1);
    this.#active++;
    const generation = this.#generation.get(node);
    let released = false;
    return {
      key,
      node,
      release: () => {
        if (released) return false;
        released = true;
        if (this.#generation.get(node) !== generation) return false;
        this.#loads.set(node, (this.#loads.get(node) ?? 1) - 1);
        this.#active--;
        return true;
      },
    };
  }

  #capFor(active: number, node: string): number {
    return Math.ceil(((1 + this.epsilon) * active * (this.#ring.weight(node) ?? 1)) / this.#totalWeight);
  }
}
