import autocannon from 'autocannon';
import { LatencyRecorder } from './latency-recorder.js';
import type { LoadResult, OnAnswer } from './load-result.js';

export interface HttpLoadOptions {
  url: string;
  /** JSON bodies POSTed in turn by each connection; one body means identical requests. */
  bodies: readonly string[];
  /**
   * `per-connection` (default): every connection walks the bodies from the first, so connections
   * send the same body at about the same time. `shared`: one turn for all connections, so requests
   * in flight together are distinct as long as there are more bodies than connections.
   */
  rotation?: 'per-connection' | 'shared';
  connections: number;
  durationS: number;
  onAnswer?: OnAnswer;
}

/** One request that takes the next body of a turn shared by every connection (autocannon rebuilds it each time). */
function sharedTurn(bodies: readonly string[]): autocannon.Request {
  let next = 0;
  return {
    method: 'POST',
    setupRequest: (request) => {
      const body = bodies[next % bodies.length] as string;
      next += 1;
      return { ...request, body };
    },
  };
}

/**
 * autocannon as a library: N keep-alive connections, one request in flight on each. Latency is
 * taken from its per-response event (sub-millisecond) rather than its whole-millisecond histogram.
 */
export async function runAutocannon(options: HttpLoadOptions): Promise<LoadResult> {
  if (options.bodies.length === 0) throw new TypeError('bodies must hold at least one request body');
  const latencies = new LatencyRecorder();
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    const settle = (error: Error | null, result: autocannon.Result): void => (error ? reject(error) : resolve(result));
    instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: options.connections,
        pipelining: 1,
        duration: options.durationS,
        timeout: 30,
        requests: options.rotation === 'shared' ? [sharedTurn(options.bodies)] : options.bodies.map((body) => ({ method: 'POST' as const, body })),
      },
      settle,
    );
  });
  instance?.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    const success = statusCode >= 200 && statusCode < 300;
    if (success) {
      ok += 1;
      latencies.record(responseTimeMs);
    } else {
      failed += 1;
    }
    options.onAnswer?.(success);
  });
  const result = await done;
  const durationS = (performance.now() - start) / 1000;
  return {
    rps: ok / durationS,
    latency: latencies.summary(),
    ok,
    errors: failed + result.errors + result.timeouts,
    durationS,
  };
}
