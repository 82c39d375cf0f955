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
/**
 * How long kept-alive connections may stay after the work is done, before the idle ones are closed. A
 * connection node counts as idle may hold a request the client already sent and the server has not read
 * (a busy loop, 16 clients back to back): closing it then resets that request. Left open, each gets its
 * next request answered 503 IM_SHUTTING_DOWN with `connection: close` and closes itself; only those that
 * stay quiet this long are closed.
 */
const IDLE_LINGER_MS = 1_000;

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
 * last response, and kept-alive ones left quiet are closed after `IDLE_LINGER_MS` (not at once: one may
 * hold a request not yet read). Resolves `true` when everything finished in time.
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
  const lingerUntil = Math.min(deadline, performance.now() + IDLE_LINGER_MS);
  let open = await connections(steps.server);
  while (open > 0 && performance.now() < deadline) {
    await sleep(IDLE_POLL_MS);
    if (performance.now() >= lingerUntil) steps.server.closeIdleConnections();
    open = await connections(steps.server);
  }
  steps.server.closeAllConnections();
  const closed = open === 0;
  return drained && closed;
}
