import autocannon from 'autocannon';
import { LatencyRecorder } from './latency-recorder.js';
import { withHeaders, type HttpBody, type HttpLoadOptions } from './http-load.js';
import type { LoadResult } from './load-result.js';

/** One request that takes the next body of a turn shared by every connection (autocannon rebuilds it each time). */
function sharedTurn(bodies: readonly HttpBody[]): autocannon.Request {
  let next = 0;
  return {
    method: 'POST',
    setupRequest: (request) => {
      const { body, headers } = bodies[next % bodies.length] as HttpBody;
      next += 1;
      // autocannon's request type says string, its request builder takes a Buffer as well (Buffer.byteLength, write).
      return { ...request, body: body as string, headers: { ...request.headers, ...headers } };
    },
  };
}

/**
 * autocannon as a library: N keep-alive connections, one request in flight on each. Latency is
 * taken from its per-response event (sub-millisecond) rather than its whole-millisecond histogram.
 */
export async function runAutocannon(options: HttpLoadOptions): Promise<LoadResult> {
  if (options.bodies.length === 0) throw new TypeError('bodies must hold at least one request body');
  const bodies = options.bodies.map(withHeaders);
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
        connections: options.connections,
        pipelining: 1,
        duration: options.durationS,
        ...(options.amount !== undefined ? { amount: options.amount } : {}),
        timeout: 30,
        requests: options.rotation === 'shared' ? [sharedTurn(bodies)] : bodies.map(({ body, headers }) => ({ method: 'POST' as const, body: body as string, headers: { ...headers } })),
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
