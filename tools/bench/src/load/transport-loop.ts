import { workerProtocol, type InferBatchRequestInput } from '@infermesh/contracts';
import { dial } from '@infermesh/transport';
import { inFlightLoop } from './in-flight-loop.js';
import type { LoadResult, OnAnswer } from './load-result.js';

export interface TransportLoadOptions {
  /** The worker's listening address, `ws://127.0.0.1:PORT`. */
  url: string;
  request: InferBatchRequestInput;
  concurrency: number;
  durationS: number;
  onAnswer?: OnAnswer;
}

/** A counting semaphore: at most `size` holders, the rest wait in order. */
function slots(size: number): { acquire: () => Promise<void>; release: () => void } {
  let free = size;
  const waiting: Array<() => void> = [];
  return {
    acquire: () => {
      if (free > 0) {
        free -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release: () => {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
    },
  };
}

/**
 * Calls `infer` on a worker directly over one connection, as the coordinator does and with its
 * admission rule: no more calls in flight than the worker's advertised `maxConcurrency` (a worker
 * refuses more as busy), the other callers waiting their turn. Latency includes that wait.
 */
export async function runTransportLoad(options: TransportLoadOptions): Promise<LoadResult> {
  const peer = dial(options.url, { protocol: workerProtocol, reconnect: false });
  try {
    await peer.ready();
    const info = await peer.call('describe', {});
    const slot = slots(info.maxConcurrency);
    return await inFlightLoop({
      concurrency: options.concurrency,
      durationS: options.durationS,
      once: async () => {
        await slot.acquire();
        try {
          const answer = await peer.call('infer', options.request);
          return answer.items.every((item) => item.ok);
        } finally {
          slot.release();
        }
      },
      ...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
    });
  } finally {
    await peer.close();
  }
}
