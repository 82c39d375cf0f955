import { LazyAbort, type AbortLike } from '@infermesh/foundation';
import type { Carrier } from './carrier.js';
import {
  AbortedError, BackpressureError, ClosedError, HeartbeatTimeoutError, InvalidMessageError, MethodNotFoundError,
  ProtocolError, RemoteError, TimeoutError,
} from './errors.js';
import { summarizeIssues, type DecodeResult, type ErrorKind, type Frame } from './frame.js';
import type { AnyHandler, CallOptions, HandlerContext, MethodTable } from './method-table.js';
import { MAX_TIMER_MS, type ConnectionSettings } from './options.js';
import type { Peer } from './peer.js';

export interface CloseInfo {
  code: number;
  reason: string;
  /** Why the connection ended, when it was not an orderly close (heartbeat, protocol error, socket error). */
  error?: Error;
}

export interface ConnectionHooks {
  lookup: (method: string) => AnyHandler | undefined;
  onClose: (info: CloseInfo) => void;
  onProtocolError: (error: ProtocolError) => void;
  onError: (error: Error) => void;
}

interface PendingCall {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortLike | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A call being handled. Its abort makes an AbortSignal only if the handler reads `ctx.signal`: most
 * handlers never do, and one signal per call was a visible share of the hot path.
 */
interface InboundCall {
  method: string;
  abort: LazyAbort;
}

const MAX_ERROR_MESSAGE = 4096;
const MAX_REASON_BYTES = 123;

function hasStringCode(e: unknown): e is { code: string } {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string';
}

function truncateReason(reason: string): string {
  return Buffer.byteLength(reason) <= MAX_REASON_BYTES ? reason : Buffer.from(reason).subarray(0, MAX_REASON_BYTES).toString();
}

/**
 * The protocol engine of one open connection (a WebSocket or a thread's port, see carrier.ts): correlates calls and answers, dispatches incoming calls
 * to handlers, runs the heartbeat. A Peer owns one at a time; a dialing peer gets a new one per reconnect.
 */
export class Connection {
  readonly #carrier: Carrier;
  readonly #protocol: MethodTable;
  readonly #settings: ConnectionSettings;
  readonly #peer: Peer<MethodTable>;
  readonly #hooks: ConnectionHooks;
  readonly #pending = new Map<number, PendingCall>();
  readonly #inbound = new Map<number, InboundCall>();
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closeError: Error | undefined;
  #nextId = 1;
  #heartbeat: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #closeTimer: NodeJS.Timeout | undefined;

  constructor(carrier: Carrier, protocol: MethodTable, settings: ConnectionSettings, peer: Peer<MethodTable>, hooks: ConnectionHooks) {
    this.#carrier = carrier;
    this.#protocol = protocol;
    this.#settings = settings;
    this.#peer = peer;
    this.#hooks = hooks;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    carrier.start({
      frame: (result) => this.#onFrame(result),
      close: (code, reason) => this.#onClose(code, reason),
      error: (error) => this.#onError(error),
      pong: () => this.#onPong(),
    });
    if (settings.heartbeatIntervalMs > 0 && carrier.heartbeats) {
      this.#heartbeat = setInterval(() => this.#ping(), settings.heartbeatIntervalMs).unref();
    }
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  get pendingCalls(): number {
    return this.#pending.size;
  }

  get bufferedAmount(): number {
    return this.#carrier.bufferedAmount;
  }

  call(method: string, payload: unknown, options: CallOptions | undefined): Promise<unknown> {
    if (this.#state !== 'open') return Promise.reject(new ClosedError(1006, 'connection is closing'));
    const { maxPendingCalls, maxBufferedBytes } = this.#settings;
    if (this.#pending.size >= maxPendingCalls) {
      return Promise.reject(new BackpressureError('maxPendingCalls', maxPendingCalls));
    }
    const buffered = this.#carrier.bufferedAmount;
    if (buffered > maxBufferedBytes) return Promise.reject(new BackpressureError('maxBufferedBytes', maxBufferedBytes));
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new AbortedError(method, { cause: signal.reason }));
    const deadline = options?.deadline;
    // The wire carries epoch ms (the callee's monotonic clock has another origin); the timer counts down here.
    const timeoutMs =
      deadline === undefined ? (options?.timeoutMs ?? this.#settings.timeoutMs) : Math.min(MAX_TIMER_MS, Math.ceil(deadline - performance.now()));
    if (timeoutMs <= 0) return Promise.reject(new TimeoutError(method, 0));
    const id = this.#nextId++;
    const frame: Frame = { type: 'call', id, method, payload, deadline: Date.now() + timeoutMs };
    return new Promise<unknown>((resolve, reject) => {
      const entry: PendingCall = { method, resolve, reject, timer: undefined, signal, onAbort: undefined };
      entry.timer = setTimeout(() => this.#cancel(id, new TimeoutError(method, timeoutMs)), timeoutMs);
      if (signal) {
        entry.onAbort = () => this.#cancel(id, new AbortedError(method, { cause: signal.reason }));
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#pending.set(id, entry);
      try {
        this.#carrier.send(frame);
      } catch (error) {
        this.#settle(id);
        reject(new InvalidMessageError(method, 'local', 'request could not be encoded', { cause: error }));
      }
    });
  }

  /** Closes with a handshake; pending calls fail at once, handlers see their signal abort. */
  close(code: number, reason: string): Promise<void> {
    if (this.#state === 'open') {
      this.#state = 'closing';
      this.#failAll(new ClosedError(code, reason));
      this.#carrier.close(code, truncateReason(reason));
      this.#closeTimer = setTimeout(() => this.#carrier.terminate(), this.#settings.closeTimeoutMs).unref();
    }
    return this.#closed;
  }

  /** Ends the connection without a closing handshake (dead peer, shutdown). */
  terminate(error?: Error): void {
    this.#closeError ??= error;
    this.#carrier.terminate();
  }

  #settle(id: number): PendingCall | undefined {
    const entry = this.#pending.get(id);
    if (entry === undefined) return undefined;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    return entry;
  }

  #cancel(id: number, error: Error): void {
    const entry = this.#settle(id);
    if (entry === undefined) return;
    entry.reject(error);
    this.#send({ type: 'cancel', id });
  }

  #send(frame: Frame): void {
    if (this.#state !== 'open') return;
    this.#carrier.send(frame);
  }

  #onFrame(decoded: DecodeResult | { ok: false; reason: 'text' }): void {
    if (this.#state !== 'open') return;
    if (!decoded.ok) {
      if (decoded.reason === 'text') return this.#violation('text frames are not part of the protocol', 1007);
      if (decoded.reason === 'undecodable') {
        return this.#violation('undecodable frame (not msgpack)', 1007, decoded.error);
      }
      const raw = decoded.raw as { type?: unknown; id?: unknown } | null;
      const id = typeof raw === 'object' && raw !== null && raw.type === 'call' ? raw.id : undefined;
      const message = `bad frame envelope: ${summarizeIssues(decoded.error)}`;
      // A call we can answer gets an error frame; anything else cannot be trusted to continue.
      if (Number.isSafeInteger(id) && (id as number) >= 0 && !this.#inbound.has(id as number)) {
        this.#hooks.onProtocolError(new ProtocolError(message, 0, { cause: decoded.error }));
        return this.#send({ type: 'error', id: id as number, kind: 'invalid-message', message });
      }
      return this.#violation(message, 1008, decoded.error);
    }
    const frame = decoded.frame;
    switch (frame.type) {
      case 'call':
        return this.#onCall(frame.id, frame.method, frame.payload, frame.deadline);
      case 'result':
        return this.#onResult(frame.id, frame.payload);
      case 'error':
        return this.#onErrorFrame(frame.id, frame.kind, frame.message, frame.code);
      case 'cancel':
        return this.#onCancel(frame.id);
    }
  }

  #onCancel(id: number): void {
    const call = this.#inbound.get(id);
    if (call === undefined) return;
    // Forget it now: a handler that ignores its signal must not pin the entry forever.
    this.#inbound.delete(id);
    call.abort.abort(new AbortedError(call.method));
  }

  #onResult(id: number, payload: unknown): void {
    // Unknown ids are answers that arrived after a timeout or abort: dropped, not an error.
    const entry = this.#settle(id);
    if (entry === undefined) return;
    const schema = this.#protocol[entry.method]?.response;
    if (schema === undefined || this.#settings.uncheckedAnswers?.has(entry.method) === true) return entry.resolve(payload);
    const parsed = schema.safeParse(payload);
    if (parsed.success) entry.resolve(parsed.data);
    else entry.reject(new InvalidMessageError(entry.method, 'local', `response: ${summarizeIssues(parsed.error)}`, { cause: parsed.error }));
  }

  #onErrorFrame(id: number, kind: ErrorKind, message: string, code: string | undefined): void {
    const entry = this.#settle(id);
    if (entry === undefined) return;
    switch (kind) {
      case 'method-not-found':
        return entry.reject(new MethodNotFoundError(entry.method));
      case 'invalid-message':
        return entry.reject(new InvalidMessageError(entry.method, 'remote', message));
      case 'remote':
        return entry.reject(new RemoteError(entry.method, message, code));
    }
  }

  #onCall(id: number, method: string, payload: unknown, deadline: number | undefined): void {
    if (this.#inbound.has(id)) return this.#violation(`duplicate call id ${id}`, 1008);
    const schemas = Object.hasOwn(this.#protocol, method) ? this.#protocol[method] : undefined;
    const handler = schemas === undefined ? undefined : this.#hooks.lookup(method);
    if (schemas === undefined || handler === undefined) {
      return this.#send({ type: 'error', id, kind: 'method-not-found', message: `method not found: "${method}"` });
    }
    let request = payload;
    if (this.#settings.uncheckedCalls?.has(method) !== true) {
      const parsed = schemas.request.safeParse(payload);
      if (!parsed.success) {
        return this.#send({ type: 'error', id, kind: 'invalid-message', message: `request: ${summarizeIssues(parsed.error)}` });
      }
      request = parsed.data;
    }
    const abort = new LazyAbort();
    const call: InboundCall = { method, abort };
    this.#inbound.set(id, call);
    const ctx: HandlerContext = {
      get signal() {
        return abort.signal;
      },
      get aborted() {
        return abort.aborted;
      },
      get reason() {
        return abort.reason;
      },
      peer: this.#peer,
    };
    if (deadline !== undefined) ctx.deadline = deadline;
    let result: unknown;
    try {
      result = handler(request, ctx);
    } catch (error) {
      return this.#finishCall(id, call, false, error);
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => this.#finishCall(id, call, true, value),
        (error: unknown) => this.#finishCall(id, call, false, error),
      );
    } else {
      this.#finishCall(id, call, true, result);
    }
  }

  #finishCall(id: number, call: InboundCall, ok: boolean, value: unknown): void {
    if (this.#inbound.get(id) !== call) return;
    this.#inbound.delete(id);
    // A cancelled call's caller has stopped listening; a closed connection has nowhere to answer.
    if (call.abort.aborted || this.#state !== 'open') return;
    if (ok) {
      try {
        this.#carrier.send({ type: 'result', id, payload: value });
        return;
      } catch (error) {
        value = Object.assign(new Error('response could not be encoded'), { cause: error });
      }
    }
    const message = (value instanceof Error ? value.message : 'handler failed').slice(0, MAX_ERROR_MESSAGE);
    const frame: Frame = { type: 'error', id, kind: 'remote', message };
    if (hasStringCode(value)) frame.code = value.code.slice(0, 256);
    this.#send(frame);
  }

  #violation(message: string, closeCode: 1007 | 1008, cause?: unknown): void {
    const error = new ProtocolError(message, closeCode, { cause });
    this.#closeError ??= error;
    this.#hooks.onProtocolError(error);
    void this.close(closeCode, message);
  }

  #ping(): void {
    if (this.#state !== 'open' || this.#pongTimer !== undefined) return;
    const timeoutMs = this.#settings.heartbeatTimeoutMs;
    this.#pongTimer = setTimeout(() => this.terminate(new HeartbeatTimeoutError(timeoutMs)), timeoutMs).unref();
    this.#carrier.ping();
  }

  #onPong(): void {
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
  }

  #onError(error: Error): void {
    const wsCode = (error as { code?: unknown }).code;
    if (typeof wsCode === 'string' && wsCode.startsWith('WS_ERR_')) {
      // ws found a framing violation (oversized message, bad opcode…) and is closing the socket.
      const closeCode = wsCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 1009 : 1002;
      const protocolError = new ProtocolError(error.message, closeCode, { cause: error });
      this.#closeError ??= protocolError;
      this.#hooks.onProtocolError(protocolError);
      return;
    }
    this.#closeError ??= error;
    this.#hooks.onError(error);
  }

  #failAll(error: ClosedError): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
    for (const call of this.#inbound.values()) call.abort.abort(error);
    this.#inbound.clear();
  }

  #onClose(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearInterval(this.#heartbeat);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#closeTimer);
    const error = this.#closeError;
    this.#failAll(new ClosedError(code, reason, { cause: error }));
    this.#resolveClosed();
    this.#hooks.onClose(error === undefined ? { code, reason } : { code, reason, error });
  }
}
