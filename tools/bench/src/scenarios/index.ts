import { cacheHitScenario } from './cache-hit.js';
import { coordinatorNoopScenario } from './coordinator-noop.js';
import { floorScenario } from './floor.js';
import { haproxyScenario } from './haproxy.js';
import { mlpScenario } from './mlp.js';
import { nginxPeerScenario } from './nginx-peer.js';
import { ocrScenario } from './ocr.js';
import { placementScenario } from './placement.js';
import { plainServerScenario } from './plain-server.js';
import { protocolsScenario } from './protocols.js';
import type { Scenario } from './scenario.js';
import { tracingScenario } from './tracing.js';
import { workersScalingScenario } from './workers-scaling.js';

/** In run order: the floor first (everything is a ratio to it), the scenario that adds a worker last. */
export const SCENARIOS: readonly Scenario[] = [
  floorScenario,
  coordinatorNoopScenario,
  nginxPeerScenario,
  mlpScenario,
  cacheHitScenario,
  placementScenario,
  plainServerScenario,
  protocolsScenario,
  tracingScenario,
  ocrScenario,
  haproxyScenario,
  workersScalingScenario,
];
