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

/** Calls `infer` on a worker directly, N calls in flight on one connection, as the coordinator does. */
export async function runTransportLoad(options: TransportLoadOptions): Promise<LoadResult> {
  const peer = dial(options.url, { protocol: workerProtocol, reconnect: false, maxPendingCalls: 65_536 });
  try {
    await peer.ready();
    return await inFlightLoop({
      concurrency: options.concurrency,
      durationS: options.durationS,
      once: async () => {
        const answer = await peer.call('infer', options.request);
        return answer.items.every((item) => item.ok);
      },
      ...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
    });
  } finally {
    await peer.close();
  }
}
