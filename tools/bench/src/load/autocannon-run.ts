import autocannon from 'autocannon';
import { LatencyRecorder } from './latency-recorder.js';
import type { LoadResult, OnAnswer } from './load-result.js';

/** A request body with the headers that go with it (content type, the binary extension's header length). */
export interface HttpBody {
  body: string | Buffer;
  headers: Readonly<Record<string, string>>;
}

export interface HttpLoadOptions {
  url: string;
  /**
   * Bodies POSTed in turn by each connection; one body means identical requests. A string is a JSON
   * body (`content-type: application/json`); an `HttpBody` brings its own headers.
   */
  bodies: ReadonlyArray<string | HttpBody>;
  /**
   * `per-connection` (default): every connection walks the bodies from the first, so connections
   * send the same body at about the same time. `shared`: one turn for all connections, so requests
   * in flight together are distinct as long as there are more bodies than connections.
   */
  rotation?: 'per-connection' | 'shared';
  connections: number;
  durationS: number;
  /** Stop after this many requests instead of after `durationS` (a warm-up measured in work, not time). */
  amount?: number | undefined;
  onAnswer?: OnAnswer;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;
const withHeaders = (body: string | HttpBody): HttpBody => (typeof body === 'string' ? { body, headers: JSON_HEADERS } : body);

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
