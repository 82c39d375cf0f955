import type { PeerEngine } from './peer-engine.js';
import { rayServe } from './ray-serve.js';
import { triton } from './triton.js';

/** The peer engines the plain-server scenario runs where they are installed, and reports missing where not. */
export const PEERS: readonly PeerEngine[] = [rayServe, triton];
export type { PeerEngine, PeerModel, RunningPeer } from './peer-engine.js';
