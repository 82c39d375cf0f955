import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { bearerHeader } from './auth.js';
import { Backoff } from './backoff.js';
import type { CloseInfo } from './connection.js';
import { ClosedError, ReconnectExhaustedError, TransportError, UnauthorizedError } from './errors.js';
import type { MethodTable } from './method-table.js';
import { DialOptionsSchema, parseOptions, type DialOptions, type ParsedDialOptions, type TimerApi } from './options.js';
import { WebSocketCarrier } from './carrier.js';
import { kAttach, kDisconnected, kFinish, Peer } from './peer.js';

const realTimers: TimerApi = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A Peer that dials `url` and dials again, with exponential backoff and jitter, whenever the
 * connection drops, until `close()`. Calls made while it is between connections reject at once.
 */
export class DialingPeer<P extends MethodTable> extends Peer<P> {
  readonly url: string;
  readonly #options: ParsedDialOptions;
  readonly #backoff: Backoff | undefined;
  readonly #timers: TimerApi;
  readonly #ready: Promise<void>;
  #resolveReady!: () => void;
  #rejectReady!: (error: Error) => void;
  #settled = false;
  #stopped = false;
  #socket: WebSocket | undefined;
  #timer: unknown;

  constructor(url: string, options: DialOptions<P>) {
    if (typeof url !== 'string') throw new TypeError('Invalid dial url: expected a string');
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(url);
    } catch (error) {
      throw new TypeError(`Invalid dial url: ${url}`, { cause: error });
    }
    if (parsedUrl.protocol !== 'ws:' && parsedUrl.protocol !== 'wss:') {
      throw new TypeError(`Invalid dial url: expected ws: or wss:, got ${parsedUrl.protocol}`);
    }
    const parsed = parseOptions(DialOptionsSchema, options, 'dial');
    if (parsed.tls !== undefined && parsedUrl.protocol !== 'wss:') throw new TypeError(`Invalid dial option "tls": it needs a wss: url, got ${url}`);
    const { handlers, protocol, tls: _tls, ...settings } = parsed;
    super({ id: parsed.id ?? randomUUID(), protocol: protocol as P, settings, handlers });
    this.url = url;
    this.#options = parsed;
    this.#timers = parsed.timers ?? realTimers;
    this.#backoff = parsed.reconnect === false ? undefined : new Backoff(parsed.reconnect, parsed.random);
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // ready() may never be awaited; its rejection must not become an unhandled one.
    this.#ready.catch(() => undefined);
    this.#connect();
  }

  /** Resolves on the first open; rejects if the peer stops (closed, unauthorized, gave up) before that. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Stops reconnecting and closes the current connection, if any. */
  override async close(code = 1000, reason = ''): Promise<void> {
    const wasStopped = this.#stopped;
    this.#stopped = true;
    this.#timers.clearTimeout(this.#timer);
    this.#socket?.terminate();
    this.#socket = undefined;
    const error = new ClosedError(code, reason || 'closed by this side');
    this.#settle(error);
    const wasOpen = this.isOpen;
    await super.close(code, reason);
    if (!wasOpen && !wasStopped) this.emit('close', { code, reason, willReconnect: false });
  }

  override [kDisconnected](info: CloseInfo): boolean {
    if (this.#stopped) return false;
    return this.#retry(info.error);
  }

  #settle(error?: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    if (error === undefined) this.#resolveReady();
    else this.#rejectReady(error);
  }

  #connect(): void {
    if (this.#stopped) return;
    const { secret, maxPayloadBytes, connectTimeoutMs, tls } = this.#options;
    const ws = new WebSocket(this.url, {
      ...(tls ?? {}),
      headers: secret === undefined ? {} : { authorization: bearerHeader(secret) },
      maxPayload: maxPayloadBytes,
      perMessageDeflate: false,
      handshakeTimeout: connectTimeoutMs,
    });
    this.#socket = ws;
    let failure: Error | undefined;
    const onError = (error: Error): void => {
      failure ??= error;
    };
    const onClose = (): void => {
      if (this.#socket === ws) this.#socket = undefined;
      this.#connectFailed(failure ?? new TransportError('IM_TRANSPORT_NOT_CONNECTED', 'connection attempt failed'));
    };
    ws.on('error', onError);
    ws.once('close', onClose);
    ws.once('unexpected-response', (_req, res) => {
      failure = res.statusCode === 401
        ? new UnauthorizedError()
        : new TransportError('IM_TRANSPORT_NOT_CONNECTED', `handshake refused with HTTP ${res.statusCode ?? '?'}`);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      ws.off('error', onError);
      ws.off('close', onClose);
      if (this.#socket === ws) this.#socket = undefined;
      if (this.#stopped) return void ws.terminate();
      this.#backoff?.reset();
      const socket = (ws as unknown as { _socket?: { remoteAddress?: string } })._socket;
      this[kAttach](new WebSocketCarrier(ws), socket?.remoteAddress);
      this.#settle();
    });
  }

  #connectFailed(error: Error): void {
    if (this.#stopped) return;
    if (error instanceof UnauthorizedError) {
      // A wrong secret does not fix itself: stop rather than hammer the listener.
      this.emit('error', error);
      return this.#stop(error, 1008, 'unauthorized');
    }
    if (!this.#retry(error)) this.emit('close', { code: 1006, reason: 'connection failed', error, willReconnect: false });
  }

  /** Schedules the next attempt; false (and the peer stops) when reconnecting is off or exhausted. */
  #retry(error: Error | undefined): boolean {
    const backoff = this.#backoff;
    if (backoff === undefined || backoff.exhausted) {
      const final = backoff === undefined ? error : new ReconnectExhaustedError(backoff.attempt, { cause: error });
      this.#stopped = true;
      this[kFinish](new ClosedError(1006, 'not reconnecting', { cause: final }));
      this.#settle(final ?? new ClosedError(1006, 'connection closed'));
      if (final !== undefined && final !== error) this.emit('error', final);
      return false;
    }
    const delayMs = backoff.next();
    this.emit('reconnecting', error === undefined ? { attempt: backoff.attempt, delayMs } : { attempt: backoff.attempt, delayMs, error });
    this.#timer = this.#timers.setTimeout(() => this.#connect(), delayMs);
    return true;
  }

  #stop(error: Error, code: number, reason: string): void {
    this.#stopped = true;
    this[kFinish](new ClosedError(code, reason, { cause: error }));
    this.#settle(error);
    this.emit('close', { code, reason, error, willReconnect: false });
  }
}

/** Dials `url` and keeps the connection up; `await peer.ready()` for the first open. */
export function dial<P extends MethodTable>(url: string, options: DialOptions<P>): DialingPeer<P> {
  return new DialingPeer<P>(url, options);
}
