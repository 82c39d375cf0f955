import { LeastConnections } from './least-connections.js';
import { LeastLatency } from './least-latency.js';
import { PowerOfTwoChoices } from './power-of-two-choices.js';
import { RoundRobin } from './round-robin.js';
import { SmoothWeightedRoundRobin } from './smooth-weighted-round-robin.js';
import type { Strategy, StrategyName } from './strategy.js';
import { WeightedRandom } from './weighted-random.js';

export interface StrategySettings {
  readonly unsampledPenaltyMs: number;
}

/** The strategy for a name, fresh (strategies keep per-balancer state such as rotation counters). */
export function createStrategy(name: StrategyName, settings: StrategySettings): Strategy {
  switch (name) {
    case 'round-robin':
      return new RoundRobin();
    case 'weighted-round-robin':
      return new SmoothWeightedRoundRobin();
    case 'least-connections':
      return new LeastConnections();
    case 'random':
      return new WeightedRandom();
    case 'p2c':
      return new PowerOfTwoChoices();
    case 'least-latency':
      return new LeastLatency(settings.unsampledPenaltyMs);
  }
}
