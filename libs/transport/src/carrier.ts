import type { MessagePort } from 'node:worker_threads';
import type { WebSocket } from 'ws';
import { decodeFrame, FrameSchema, encodeFrame, type DecodeResult, type Frame } from './frame.js';

/** What a carrier hands the connection: a decoded frame (or why it is not one), a close, an error, a pong. */
export interface CarrierEvents {
  frame(result: DecodeResult | { ok: false; reason: 'text' }): void;
  close(code: number, reason: string): void;
  error(error: Error): void;
  pong(): void;
}

/**
 * How frames travel between two peers. A Connection speaks the RPC protocol (calls, answers, cancels,
 * deadlines) over any carrier; the carrier only moves frames. Two exist: a WebSocket between processes
 * or hosts (msgpack, typed arrays as raw bytes), and a MessagePort between threads of one process
 * (structured clone: no encoding, no socket).
 */
export interface Carrier {
  /** Bytes queued and not yet sent; what backpressure is measured on. */
  readonly bufferedAmount: number;
  /** Whether heartbeats make sense: a thread's port cannot go silent without closing. */
  readonly heartbeats: boolean;
  start(events: CarrierEvents): void;
  /** Sends one frame; throws when the frame cannot be encoded. */
  send(frame: Frame): void;
  ping(): void;
  /** Starts an orderly close; `close` follows. */
  close(code: number, reason: string): void;
  /** Ends at once, without a handshake; `close` follows. */
  terminate(): void;
}

/** Frames as msgpack in binary WebSocket messages. */
export class WebSocketCarrier implements Carrier {
  readonly heartbeats = true;
  readonly #ws: WebSocket;
  #corked = false;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.binaryType = 'nodebuffer';
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  start(events: CarrierEvents): void {
    const ws = this.#ws;
    ws.on('message', (data, isBinary) => events.frame(isBinary ? decodeFrame(data as Buffer) : { ok: false, reason: 'text' }));
    ws.on('close', (code, reason) => events.close(code, reason.toString()));
    ws.on('error', (error) => events.error(error));
    ws.on('pong', () => events.pong());
  }

  /**
   * Frames sent during one event-loop turn leave in one syscall: the socket is corked at the first
   * write and uncorked in setImmediate. With 64 calls in flight this halves the cost of a round trip.
   */
  send(frame: Frame): void {
    const bytes = encodeFrame(frame);
    if (!this.#corked) {
      const socket = (this.#ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      if (socket !== undefined) {
        this.#corked = true;
        socket.cork();
        setImmediate(() => {
          this.#corked = false;
          socket.uncork();
        });
      }
    }
    this.#ws.send(bytes, { binary: true });
  }

  ping(): void {
    this.#ws.ping();
  }

  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }
}

/** The one message a port carries besides frames: the closing side's code and reason. */
interface PortClose {
  close: { code: number; reason: string };
}

function isPortClose(data: unknown): data is PortClose {
  const close = (data as Partial<PortClose> | null)?.close;
  return typeof close === 'object' && close !== null && typeof close.code === 'number' && typeof close.reason === 'string';
}

const MAX_DEPTH = 64;

/**
 * A value whose typed arrays each own their whole buffer. Structured clone copies a view's entire
 * ArrayBuffer, not its range: a 256-byte tensor that views a 64 KB pooled buffer (a slice of a request
 * body, one item's rows of a batch's output) would cost 30× its size. Objects are copied only along the
 * paths that hold such a view; the caller's value is never changed.
 */
export function compactViews(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (ArrayBuffer.isView(value)) {
    if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) return value;
    const copy = value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
    if (value instanceof DataView) return new DataView(copy);
    const Ctor = value.constructor as new (buffer: ArrayBufferLike) => ArrayBufferView;
    return new Ctor(copy);
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = compactViews(value[i], depth + 1);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const before = (value as Record<string, unknown>)[key];
    const v = compactViews(before, depth + 1);
    if (v !== before) (out ??= { ...(value as Record<string, unknown>) })[key] = v;
  }
  return out ?? value;
}

/**
 * Frames as structured-cloned objects on a MessagePort (a worker thread's channel): typed arrays are
 * copied as memory, nothing is encoded. Frames are still checked against the envelope schema, and
 * payloads against the method's, exactly as on a WebSocket.
 */
export class PortCarrier implements Carrier {
  readonly heartbeats = false;
  readonly bufferedAmount = 0;
  readonly #port: MessagePort;
  #closing: { code: number; reason: string } | undefined;
  #closed = false;

  constructor(port: MessagePort) {
    this.#port = port;
  }

  start(events: CarrierEvents): void {
    const finish = (): void => {
      if (this.#closed) return;
      this.#closed = true;
      const { code, reason } = this.#closing ?? { code: 1006, reason: 'port closed' };
      events.close(code, reason);
    };
    this.#port.on('message', (data: unknown) => {
      if (isPortClose(data)) {
        this.#closing ??= data.close;
        this.#port.close();
        return;
      }
      const parsed = FrameSchema.safeParse(data);
      events.frame(parsed.success ? { ok: true, frame: parsed.data } : { ok: false, reason: 'envelope', error: parsed.error, raw: data });
    });
    this.#port.on('messageerror', (error: Error) => events.error(error));
    this.#port.on('close', finish);
    this.#port.start();
  }

  send(frame: Frame): void {
    this.#port.postMessage(compactViews(frame));
  }

  ping(): void {}

  close(code: number, reason: string): void {
    this.#closing ??= { code, reason };
    try {
      this.#port.postMessage({ close: { code, reason } } satisfies PortClose);
    } finally {
      this.#port.close();
    }
  }

  terminate(): void {
    this.#closing ??= { code: 1006, reason: 'terminated' };
    this.#port.close();
  }
}

/** What one end of a LocalChannel hands the other. */
type LocalDelivery = { frame: Frame } | { close: { code: number; reason: string } };

/**
 * One end of a `LocalChannel`: like a MessagePort, but both ends live on the same thread and frames are
 * handed over by reference, in a microtask. Hand it to `connectPort` as you would a MessagePort.
 */
export class LocalPort {
  #other: LocalPort | undefined;
  #events: CarrierEvents | undefined;
  /** Deliveries that arrived before this end was started. */
  #early: LocalDelivery[] = [];
  #closed = false;

  /** @internal Joins the two ends of a channel. */
  static link(a: LocalPort, b: LocalPort): void {
    a.#other = b;
    b.#other = a;
  }

  get closed(): boolean {
    return this.#closed;
  }

  start(events: CarrierEvents): void {
    this.#events = events;
    const early = this.#early;
    this.#early = [];
    for (const delivery of early) this.#receive(delivery);
  }

  /** Queues a delivery to the other end; nothing is sent once this end is closed. */
  post(delivery: LocalDelivery): void {
    const other = this.#other;
    if (this.#closed || other === undefined) return;
    queueMicrotask(() => other.#receive(delivery));
  }

  /** Closes this end at once (and the other, when it receives the close). */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.post({ close: { code, reason } });
    this.#closed = true;
    const events = this.#events;
    queueMicrotask(() => events?.close(code, reason));
  }

  #receive(delivery: LocalDelivery): void {
    if (this.#closed) return;
    const events = this.#events;
    if (events === undefined) {
      this.#early.push(delivery);
      return;
    }
    if ('close' in delivery) {
      this.#closed = true;
      events.close(delivery.close.code, delivery.close.reason);
      return;
    }
    events.frame({ ok: true, frame: delivery.frame });
  }
}

/**
 * Two linked `LocalPort`s: the worker protocol between a coordinator and a worker that runs in its own
 * thread (an inline worker), with no clone, no encoding and no thread switch. Each frame is passed by
 * reference, so neither side may change a payload after sending it (the RPC never does).
 */
export class LocalChannel {
  readonly port1 = new LocalPort();
  readonly port2 = new LocalPort();

  constructor() {
    LocalPort.link(this.port1, this.port2);
  }
}

/** Frames between two ends of a LocalChannel; built by our own Connection, so no envelope check is needed. */
export class LocalCarrier implements Carrier {
  readonly heartbeats = false;
  readonly bufferedAmount = 0;
  readonly #port: LocalPort;

  constructor(port: LocalPort) {
    this.#port = port;
  }

  start(events: CarrierEvents): void {
    this.#port.start(events);
  }

  send(frame: Frame): void {
    this.#port.post({ frame });
  }

  ping(): void {}

  close(code: number, reason: string): void {
    this.#port.close(code, reason);
  }

  terminate(): void {
    this.#port.close(1006, 'terminated');
  }
}
