import type { ShardingOptions, StrategyName } from './options.js';
import { STRATEGY_NAMES } from './options.js';
import type { ShardingStrategy } from './strategy.js';
import { BoundedLoadStrategy } from './strategies/bounded-load.js';
import { HashRing } from './strategies/hash-ring.js';
import { JumpStrategy } from './strategies/jump.js';
import { ModuloStrategy } from './strategies/modulo.js';
import { RendezvousStrategy } from './strategies/rendezvous.js';

interface StrategyByName {
  modulo: ModuloStrategy;
  ring: HashRing;
  rendezvous: RendezvousStrategy;
  jump: JumpStrategy;
  'bounded-load': BoundedLoadStrategy;
}

/** Builds a sharding strategy by name. Without `options.hash`, `await loadHash()` must have resolved. */
export function createShardingStrategy<N extends StrategyName>(name: N, options?: ShardingOptions): StrategyByName[N];
export function createShardingStrategy(name: StrategyName, options?: ShardingOptions): ShardingStrategy {
  switch (name) {
    case 'modulo':
      return new ModuloStrategy(options);
    case 'ring':
      return new HashRing(options);
    case 'rendezvous':
      return new RendezvousStrategy(options);
    case 'jump':
      return new JumpStrategy(options);
    case 'bounded-load':
      return new BoundedLoadStrategy(options);
    default:
      throw new TypeError(`unknown sharding strategy "${String(name)}": expected one of ${STRATEGY_NAMES.join(', ')}`);
  }
}
