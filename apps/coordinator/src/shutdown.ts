import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ShutdownSteps {
  /** Server of the client API (HTTP and the WebSocket upgrade). */
  server: Server;
  /** Readiness 503 from now on. */
  markNotReady(): void;
  /** Requests are refused from now on (503 IM_SHUTTING_DOWN with `connection: close`). */
  stopAccepting(): void;
  /** Sends queued batches at once; resolves when they are answered. */
  drainQueues(): Promise<void>;
  /** No request, batch or async job is left. */
  idle(): boolean;
  /** Closes the WebSocket clients (1001, going away); called once they have nothing in flight. */
  closeSockets(): void;
}

export interface ShutdownTimes {
  /** Readiness is 503 but requests are still served this long, so a load balancer can notice. */
  preStopDelayMs: number;
  /** How long in-flight work gets after requests are refused. */
  graceMs: number;
}

const IDLE_POLL_MS = 20;

async function until(done: () => boolean, deadline: number): Promise<boolean> {
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(IDLE_POLL_MS);
  }
  return true;
}

const connections = (server: Server): Promise<number> =>
  new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));

/**
 * A graceful stop that resets no connection: readiness turns 503 at once; after the pre-stop delay
 * the listener stops taking connections, while kept-alive ones stay open so their next request gets a
 * coded 503 with `connection: close` (rather than a reset of a request already on the wire); in-flight
 * requests, queued batches and async jobs finish within the grace period; sockets close after their
 * last response. Resolves `true` when everything finished in time.
 */
export async function shutDown(steps: ShutdownSteps, times: ShutdownTimes): Promise<boolean> {
  steps.markNotReady();
  if (times.preStopDelayMs > 0) await sleep(times.preStopDelayMs);
  steps.stopAccepting();
  // net.Server's close stops listening only; http.Server's would also cut idle kept-alive connections.
  NetServer.prototype.close.call(steps.server);
  const deadline = performance.now() + times.graceMs;
  const drained = await Promise.race([
    steps.drainQueues().then(() => until(() => steps.idle(), deadline)),
    sleep(times.graceMs).then(() => false),
  ]);
  steps.closeSockets();
  steps.server.closeIdleConnections();
  let open = await connections(steps.server);
  while (open > 0 && performance.now() < deadline) {
    await sleep(IDLE_POLL_MS);
    steps.server.closeIdleConnections();
    open = await connections(steps.server);
  }
  steps.server.closeAllConnections();
  const closed = open === 0;
  return drained && closed;
}
