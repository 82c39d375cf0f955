import { EventEmitter } from 'node:events';
import { createShardingStrategy } from './create-strategy.js';
import { DuplicateNodeError, NoHealthyNodeError, UnknownNodeError, UnknownTargetError } from './errors.js';
import { defaultHash, type Hasher } from './hash.js';
import {
  parseOptions, RouteConfigSchema, RoutingTableOptionsSchema, type ParsedRouteConfig, type RouteConfig,
  type RoutingTableOptions,
} from './options.js';
import type { ShardingStrategy } from './strategy.js';
import { RendezvousStrategy } from './strategies/rendezvous.js';

export interface Registration {
  /** What the node serves, e.g. `model:version`. */
  target: string;
  /** Shards of the target the node holds. Default: every shard, whatever the shard count becomes. */
  shards?: readonly number[];
}

export type RoutingTableChange =
  | { type: 'register'; node: string; target: string; shards: readonly number[] | undefined }
  | { type: 'unregister'; node: string; target: string }
  | { type: 'configure'; target: string; route: ParsedRouteConfig };

export interface RoutingTableEvents {
  change: [RoutingTableChange];
}

export interface ResolveOptions {
  /**
   * Health as the caller knows it, of a node for the target and shard being tried (the requested one or
   * a fallback); unhealthy nodes are left out. Default: every node is healthy.
   */
  isHealthy?: (node: string, where: { readonly target: string; readonly shard: number }) => boolean;
}

export interface Resolution {
  /** The target the candidates serve: the requested one, or a fallback. */
  target: string;
  requestedTarget: string;
  /** The shard of `target` the key maps to. */
  shard: number;
  /** Healthy replicas of that shard, best first (rendezvous order on the key): hand them to a balancer. */
  candidates: string[];
  /** 0 for the requested target, 1 for its fallback, and so on. */
  fallbackDepth: number;
}

interface TargetState {
  route: ParsedRouteConfig;
  shardStrategy: ShardingStrategy;
  /** node → its shards, undefined meaning all of them */
  members: Map<string, readonly number[] | undefined>;
  /** Replica order per shard, built lazily and dropped on any change. */
  replicas: Map<number, RendezvousStrategy>;
}

/**
 * Which nodes serve which target and shard, and where a request goes: target → shard (the key through
 * the target's sharding strategy) → the replicas holding that shard, ordered for the key → healthy ones.
 * With no healthy replica it follows the target's `fallback` chain. Targets and nodes are plain strings.
 */
export class RoutingTable extends EventEmitter<RoutingTableEvents> {
  readonly maxFallbackDepth: number;
  #hash: Hasher;
  #targets = new Map<string, TargetState>();

  constructor(options?: RoutingTableOptions) {
    super();
    const parsed = parseOptions(RoutingTableOptionsSchema, options ?? {}, 'routing table');
    this.#hash = parsed.hash ?? defaultHash();
    this.maxFallbackDepth = parsed.maxFallbackDepth;
    for (const [target, route] of Object.entries(parsed.routes)) this.#targets.set(target, this.#state(route));
  }

  /** Targets with a route or at least one node. */
  get targets(): string[] {
    return [...this.#targets.keys()];
  }

  /** Sets (or replaces) a target's route. Throws RangeError if a registered node holds a shard it drops. */
  configure(target: string, route: RouteConfig = {}): void {
    const parsed = parseOptions(RouteConfigSchema, route ?? {}, 'route');
    const old = this.#targets.get(target);
    const next = this.#state(parsed);
    if (old !== undefined) {
      for (const [node, shards] of old.members) {
        checkShards(node, target, shards, parsed.shards);
        next.members.set(node, shards);
      }
    }
    this.#targets.set(target, next);
    this.emit('change', { type: 'configure', target, route: parsed });
  }

  /** The route a target resolves with; targets never configured get the default route. */
  route(target: string): ParsedRouteConfig | undefined {
    return this.#targets.get(target)?.route;
  }

  register(node: string, registration: Registration): void {
    const { target } = registration;
    if (typeof target !== 'string' || target === '') throw new TypeError('registration.target must be a non-empty string');
    let state = this.#targets.get(target);
    if (state === undefined) {
      state = this.#state(RouteConfigSchema.parse({}));
      this.#targets.set(target, state);
    }
    if (state.members.has(node)) throw new DuplicateNodeError(node);
    const shards = registration.shards === undefined ? undefined : [...new Set(registration.shards)].sort((a, b) => a - b);
    checkShards(node, target, shards, state.route.shards);
    state.members.set(node, shards);
    state.replicas.clear();
    this.emit('change', { type: 'register', node, target, shards });
  }

  /** Removes a node from one target, or from every target it serves. Throws UnknownNodeError if it serves none. */
  unregister(node: string, target?: string): void {
    const from = target === undefined ? [...this.#targets.keys()] : [target];
    let removed = 0;
    for (const t of from) {
      const state = this.#targets.get(t);
      if (state?.members.delete(node) !== true) continue;
      state.replicas.clear();
      removed++;
      this.emit('change', { type: 'unregister', node, target: t });
    }
    if (removed === 0) throw new UnknownNodeError(node);
  }

  /** Nodes registered for a target, with their shards (undefined meaning all). */
  nodesOf(target: string): Map<string, readonly number[] | undefined> {
    return new Map(this.#targets.get(target)?.members ?? []);
  }

  /** The nodes holding one shard of a target, in registration order. */
  replicas(target: string, shard: number): string[] {
    const state = this.#targets.get(target);
    if (state === undefined) throw new UnknownTargetError(target);
    return [...state.members].filter(([, shards]) => shards === undefined || shards.includes(shard)).map(([n]) => n);
  }

  /** The shard of a target that `key` maps to. */
  shardOf(target: string, key: string): number {
    const state = this.#targets.get(target);
    if (state === undefined) throw new UnknownTargetError(target);
    return Number(state.shardStrategy.lookup(key));
  }

  /**
   * Resolves a request. Throws UnknownTargetError for a target with no route and no node, and
   * NoHealthyNodeError when neither the target nor any fallback has a healthy replica for the key.
   */
  resolve(target: string, key: string, options: ResolveOptions = {}): Resolution {
    if (!this.#targets.has(target)) throw new UnknownTargetError(target);
    const healthy = options.isHealthy ?? (() => true);
    const visited = new Set<string>();
    const checked: string[] = [];
    let current: string | undefined = target;
    for (let depth = 0; current !== undefined && depth <= this.maxFallbackDepth && !visited.has(current); depth++) {
      visited.add(current);
      const state = this.#targets.get(current);
      if (state === undefined) break;
      const shard = Number(state.shardStrategy.lookup(key));
      const ordered = this.#replicaOrder(current, state, shard).candidates(key, Number.MAX_SAFE_INTEGER);
      checked.push(...ordered);
      const where = { target: current, shard };
      const candidates = ordered.filter((node) => healthy(node, where));
      if (candidates.length > 0) return { target: current, requestedTarget: target, shard, candidates, fallbackDepth: depth };
      current = state.route.fallback;
    }
    throw new NoHealthyNodeError(key, checked);
  }

  #replicaOrder(target: string, state: TargetState, shard: number): RendezvousStrategy {
    let order = state.replicas.get(shard);
    if (order === undefined) {
      order = new RendezvousStrategy({ hash: this.#hash });
      for (const node of this.replicas(target, shard)) order.add(node);
      state.replicas.set(shard, order);
    }
    return order;
  }

  #state(route: ParsedRouteConfig): TargetState {
    const shardStrategy = createShardingStrategy(route.strategy, { hash: this.#hash });
    for (let s = 0; s < route.shards; s++) shardStrategy.add(String(s));
    return { route, shardStrategy, members: new Map(), replicas: new Map() };
  }
}

function checkShards(node: string, target: string, shards: readonly number[] | undefined, count: number): void {
  for (const s of shards ?? []) {
    if (!Number.isInteger(s) || s < 0 || s >= count) {
      throw new RangeError(`node "${node}" holds shard ${s} of "${target}", which has shards 0..${count - 1}`);
    }
  }
}
