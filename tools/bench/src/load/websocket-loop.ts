import WebSocket from 'ws';
import { inFlightLoop } from './in-flight-loop.js';
import type { LoadResult, OnAnswer } from './load-result.js';

export interface WebSocketLoadOptions {
  /** The coordinator's client WebSocket, `ws://127.0.0.1:PORT/v2/ws`. */
  url: string;
  model: string;
  /** The inference request body, as sent over HTTP. */
  request: unknown;
  concurrency: number;
  durationS: number;
  onAnswer?: OnAnswer;
}

interface Frame {
  type?: string;
  id?: string;
}

/** Pipelined `infer` frames on one client WebSocket, N in flight, correlated by id. */
export async function runWebSocketLoad(options: WebSocketLoadOptions): Promise<LoadResult> {
  const ws = new WebSocket(options.url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const waiting = new Map<string, (ok: boolean) => void>();
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as Frame;
    if (frame.id === undefined) return;
    waiting.get(frame.id)?.(frame.type === 'result');
    waiting.delete(frame.id);
  });
  ws.on('close', () => {
    for (const settle of waiting.values()) settle(false);
    waiting.clear();
  });
  // The request body is the same each time: serialise it once and splice the id in.
  const body = JSON.stringify(options.request);
  const model = JSON.stringify(options.model);
  let next = 0;
  try {
    return await inFlightLoop({
      concurrency: options.concurrency,
      durationS: options.durationS,
      once: () =>
        new Promise<boolean>((resolve) => {
          if (ws.readyState !== WebSocket.OPEN) return resolve(false);
          const id = String(next++);
          waiting.set(id, resolve);
          ws.send(`{"type":"infer","id":"${id}","model":${model},"request":${body}}`);
        }),
      ...(options.onAnswer ? { onAnswer: options.onAnswer } : {}),
    });
  } finally {
    ws.close();
  }
}
