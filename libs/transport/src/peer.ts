import { EventEmitter } from 'node:events';
import type { Carrier } from './carrier.js';
import { Connection, type CloseInfo } from './connection.js';
import { ClosedError, NotConnectedError, type ProtocolError } from './errors.js';
import type {
  AnyHandler, CallOptions, Handler, MethodTable, RequestInputOf, ResponseOf,
} from './method-table.js';
import type { ConnectionSettings } from './options.js';

const rawEmit = EventEmitter.prototype.emit as (this: EventEmitter, event: string, ...args: unknown[]) => boolean;

export interface PeerCloseEvent extends CloseInfo {
  /** True when a dialing peer will try again; false when this peer is done. */
  willReconnect: boolean;
}

export interface ReconnectingEvent {
  /** Failed attempts in a row, this one included. */
  attempt: number;
  delayMs: number;
  error?: Error;
}

export type PeerEvents = {
  open: [];
  close: [PeerCloseEvent];
  error: [Error];
  'protocol-error': [ProtocolError];
  /** Dialing peers only: a reconnect is scheduled. */
  reconnecting: [ReconnectingEvent];
};

/** What listen() and dial() hand a Peer; not part of the public API. */
export interface PeerInit<P extends MethodTable> {
  id: string;
  /** Who the listener's `authenticate` said the dialer is. */
  identity?: string | undefined;
  protocol: P;
  settings: ConnectionSettings;
  handlers?: Record<string, unknown> | undefined;
  /** Handlers shared by every peer of a server, consulted after the peer's own. */
  fallback?: ((method: string) => AnyHandler | undefined) | undefined;
}

/** Package-internal hooks, keyed by symbols that index.ts does not export. */
export const kAttach = Symbol('attach');
export const kDisconnected = Symbol('disconnected');
export const kFinish = Symbol('finish');

const VALID_CLOSE_CODE = (code: number): boolean => code === 1000 || code === 1001 || (code >= 3000 && code <= 4999);

/**
 * One end of an RPC connection: call the other side's methods, answer its calls. Peers come from
 * `listen()` (one per accepted connection), `dial()` (a peer that reconnects) and `connectPort()` (a
 * worker thread's channel); do not construct one.
 */
export class Peer<P extends MethodTable> extends EventEmitter<PeerEvents> {
  readonly id: string;
  /**
   * On a listener's peer: the identity its `authenticate` option gave the dialer's token. Undefined
   * without `authenticate` (no authentication, or one shared secret that names nobody).
   */
  readonly identity: string | undefined;
  readonly #protocol: P;
  readonly #settings: ConnectionSettings;
  readonly #handlers = new Map<string, AnyHandler>();
  readonly #fallback: ((method: string) => AnyHandler | undefined) | undefined;
  #connection: Connection | undefined;
  #remoteAddress: string | undefined;
  #finished: ClosedError | undefined;

  constructor(init: PeerInit<P>) {
    super();
    this.id = init.id;
    this.identity = init.identity;
    this.#protocol = init.protocol;
    this.#settings = init.settings;
    this.#fallback = init.fallback;
    for (const [method, handler] of Object.entries(init.handlers ?? {})) this.#handlers.set(method, handler as AnyHandler);
  }

  get remoteAddress(): string | undefined {
    return this.#remoteAddress;
  }

  get isOpen(): boolean {
    return this.#connection?.isOpen ?? false;
  }

  /** Calls sent on the current connection and not yet answered. */
  get pendingCalls(): number {
    return this.#connection?.pendingCalls ?? 0;
  }

  /** Bytes queued in the socket's send buffer (ws `bufferedAmount`). */
  get bufferedAmount(): number {
    return this.#connection?.bufferedAmount ?? 0;
  }

  /** Calls `method` on the other side. Rejects at once when not connected or over a backpressure limit. */
  call<M extends keyof P & string>(method: M, request: RequestInputOf<P, M>, options?: CallOptions): Promise<ResponseOf<P, M>> {
    if (!Object.hasOwn(this.#protocol, method)) {
      return Promise.reject(new TypeError(`Unknown method "${method}": not in this peer's method table`));
    }
    if (options?.timeoutMs !== undefined) {
      const t = options.timeoutMs;
      if (typeof t !== 'number' || Number.isNaN(t)) return Promise.reject(new TypeError('Invalid call option "timeoutMs": expected a number'));
      if (!Number.isInteger(t) || t < 1 || t > 2_147_483_647) {
        return Promise.reject(new RangeError('Invalid call option "timeoutMs": expected an integer in [1, 2147483647]'));
      }
    }
    const deadline = options?.deadline;
    if (deadline !== undefined && (typeof deadline !== 'number' || Number.isNaN(deadline))) {
      return Promise.reject(new TypeError('Invalid call option "deadline": expected a number'));
    }
    if (this.#finished) return Promise.reject(this.#finished);
    const connection = this.#connection;
    if (connection === undefined || !connection.isOpen) return Promise.reject(new NotConnectedError());
    return connection.call(method, request, options) as Promise<ResponseOf<P, M>>;
  }

  /** Registers (or replaces) the handler for calls of `method` from the other side. */
  handle<M extends keyof P & string>(method: M, handler: Handler<P, M>): this {
    if (!Object.hasOwn(this.#protocol, method)) throw new TypeError(`Unknown method "${method}": not in this peer's method table`);
    if (typeof handler !== 'function') throw new TypeError(`Handler for "${method}" must be a function`);
    this.#handlers.set(method, handler as AnyHandler);
    return this;
  }

  /** Closes the connection; pending calls on both sides fail with ClosedError. Resolves once closed. */
  async close(code = 1000, reason = ''): Promise<void> {
    if (!VALID_CLOSE_CODE(code)) throw new RangeError(`Invalid close code ${code}: expected 1000, 1001 or 3000-4999`);
    this.#finished ??= new ClosedError(code, reason || 'closed by this side');
    const connection = this.#connection;
    if (connection?.isOpen) await connection.close(code, reason);
  }

  /** Overrides Node's rule that an unheard 'error' throws: failures also reach callers and 'close'. */
  override emit<K extends keyof PeerEvents>(event: K, ...args: PeerEvents[K]): boolean {
    if (event === 'error' && this.listenerCount('error') === 0) return false;
    return rawEmit.call(this, event, ...args);
  }

  /** Puts an open connection (a WebSocket's or a port's carrier) under this peer. */
  [kAttach](carrier: Carrier, remoteAddress: string | undefined): void {
    this.#remoteAddress = remoteAddress;
    const connection = new Connection(carrier, this.#protocol, this.#settings, this as unknown as Peer<MethodTable>, {
      lookup: (method) => this.#handlers.get(method) ?? this.#fallback?.(method),
      onClose: (info) => {
        if (this.#connection === connection) this.#connection = undefined;
        const willReconnect = this.#finished === undefined && this[kDisconnected](info);
        if (!willReconnect) this.#finished ??= new ClosedError(info.code, info.reason, { cause: info.error });
        this.emit('close', { ...info, willReconnect });
      },
      onProtocolError: (error) => this.emit('protocol-error', error),
      onError: (error) => this.emit('error', error),
    });
    this.#connection = connection;
    this.emit('open');
  }

  /** Decides what happens after a connection ends; a dialing peer schedules a reconnect and says true. */
  [kDisconnected](_info: CloseInfo): boolean {
    return false;
  }

  /** Marks the peer done without a connection (a dialing peer that gave up); later calls get `error`. */
  [kFinish](error: ClosedError): void {
    this.#finished ??= error;
  }
}
