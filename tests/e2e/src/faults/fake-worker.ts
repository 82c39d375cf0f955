import { decodeFrame, encodeFrame, type Frame } from '@infermesh/transport';
import WebSocket from 'ws';

/** What the fake worker sends back for one `infer` call: a frame, raw bytes, text, or nothing. */
export type FakeReply =
  | { kind: 'frame'; frame: (callId: number, request: InferCall) => Frame }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'text'; text: string }
  | { kind: 'silence' };

export interface InferCall {
  items: Array<{ id: string; inputs: Record<string, { datatype: string; shape: number[]; data: unknown }>; outputs: string[] }>;
}

export interface FakeWorkerOptions {
  url: string;
  headers: Record<string, string>;
  workerId: string;
  /** The model specs it registers. */
  models: unknown[];
}

/**
 * A worker that speaks the worker channel by hand (raw WebSocket, msgpack frames), so that a test can
 * make it answer `infer` calls with anything: broken frames, wrong payloads, outputs outside the
 * declaration. It answers `describe` (registration and health checks) correctly, and redials whenever
 * the coordinator drops it.
 */
export class FakeWorker {
  readonly #options: FakeWorkerOptions;
  #ws: WebSocket | undefined;
  #stopped = false;
  /** The reply to the next `infer` calls, one per call; a valid echo when empty. */
  readonly replies: FakeReply[] = [];
  connections = 0;

  constructor(options: FakeWorkerOptions) {
    this.#options = options;
    this.#connect();
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  #connect(): void {
    if (this.#stopped) return;
    const ws = new WebSocket(this.#options.url, { headers: this.#options.headers, perMessageDeflate: false });
    this.#ws = ws;
    ws.on('error', () => undefined);
    ws.on('open', () => (this.connections += 1));
    ws.on('close', () => {
      if (this.#ws === ws) this.#ws = undefined;
      if (!this.#stopped) setTimeout(() => this.#connect(), 20);
    });
    ws.on('message', (data: Buffer) => {
      const decoded = decodeFrame(new Uint8Array(data));
      if (!decoded.ok || decoded.frame.type !== 'call') return;
      const call = decoded.frame;
      if (call.method === 'describe') {
        const info = { workerId: this.#options.workerId, pid: process.pid, maxConcurrency: 4, models: this.#options.models, shards: {}, role: 'model', stages: {} };
        ws.send(encodeFrame({ type: 'result', id: call.id, payload: info }));
        return;
      }
      if (call.method !== 'infer') return;
      const request = call.payload as InferCall;
      const reply = this.replies.shift() ?? { kind: 'frame', frame: echoFrame };
      if (reply.kind === 'frame') ws.send(safeEncode(reply.frame(call.id, request)));
      else if (reply.kind === 'bytes') ws.send(reply.bytes);
      else if (reply.kind === 'text') ws.send(reply.text);
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#ws?.terminate();
  }
}

/** A frame the transport's encoder may refuse (a payload it cannot pack): sent as bytes all the same. */
function safeEncode(frame: Frame): Uint8Array {
  try {
    return encodeFrame(frame);
  } catch {
    return new Uint8Array([0xc1]);
  }
}

/** The right answer: each item's input back as its output. */
export function echoFrame(callId: number, request: InferCall): Frame {
  return {
    type: 'result',
    id: callId,
    payload: { computeMs: 0, items: request.items.map((item) => ({ ok: true, outputs: { output: item.inputs['input'] } })) },
  };
}
