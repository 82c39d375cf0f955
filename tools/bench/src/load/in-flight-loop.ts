import { LatencyRecorder } from './latency-recorder.js';
import type { LoadResult, OnAnswer } from './load-result.js';

export interface InFlightLoopOptions {
  /** Calls kept in flight at once. */
  concurrency: number;
  durationS: number;
  /** One call; resolves true when the answer is a success. A throw counts as a failure. */
  once: () => Promise<boolean>;
  onAnswer?: OnAnswer;
}

/**
 * A closed loop: `concurrency` callers, each starting its next call when the last one answers, until
 * the time is up. The same shape of offered load as autocannon's N connections, for clients that are
 * not HTTP (the transport RPC, the WebSocket client API).
 */
export async function inFlightLoop(options: InFlightLoopOptions): Promise<LoadResult> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${options.concurrency}`);
  }
  const latencies = new LatencyRecorder();
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + options.durationS * 1000;
  const caller = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      let success = false;
      try {
        success = await options.once();
      } catch {
        success = false;
      }
      if (success) {
        latencies.record(performance.now() - t0);
        ok += 1;
      } else {
        errors += 1;
      }
      options.onAnswer?.(success);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  const durationS = (performance.now() - start) / 1000;
  return { rps: ok / durationS, latency: latencies.summary(), ok, errors, durationS };
}
