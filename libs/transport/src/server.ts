import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerToken, isAuthorized, secretDigest } from './auth.js';
import type { AnyHandler, Handler, MethodTable } from './method-table.js';
import { ListenOptionsSchema, parseOptions, type ListenOptions, type ParsedListenOptions } from './options.js';
import { WebSocketCarrier } from './carrier.js';
import { kAttach, Peer } from './peer.js';

const rawEmit = EventEmitter.prototype.emit as (this: EventEmitter, event: string, ...args: unknown[]) => boolean;

export type TransportServerEvents<P extends MethodTable> = {
  /** A peer connected; it is already open. */
  connection: [Peer<P>];
  error: [Error];
};

function refuse(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Connection: close', 'Content-Length: 0'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n`);
  socket.destroy();
}

/** The subject CN of a verified client certificate (mutual TLS), or undefined. */
function certificateName(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn.length > 0 ? cn : undefined;
}

/**
 * Accepts connections and gives each a Peer with the server's handlers. Owns its HTTP server when
 * given a port, or shares one passed as `server` (then only upgrades to `path` are taken).
 */
export class TransportServer<P extends MethodTable> extends EventEmitter<TransportServerEvents<P>> {
  readonly #options: ParsedListenOptions;
  readonly #protocol: P;
  readonly #http: HttpServer;
  readonly #ownsHttp: boolean;
  readonly #wss: WebSocketServer;
  readonly #secret: Buffer | undefined;
  readonly #peers = new Set<Peer<P>>();
  readonly #handlers = new Map<string, AnyHandler>();
  #closing: Promise<void> | undefined;

  /** Use `listen()`, which also waits for the port to be bound. */
  constructor(options: ListenOptions<P>) {
    super();
    this.#options = parseOptions(ListenOptionsSchema, options, 'listen');
    this.#protocol = this.#options.protocol as P;
    this.#ownsHttp = this.#options.server === undefined;
    const refuseHttp = (_req: IncomingMessage, res: import('node:http').ServerResponse): void => void res.writeHead(426, { Connection: 'close' }).end();
    const tls = this.#options.tls;
    this.#http = this.#options.server ?? (tls === undefined
      ? createServer(refuseHttp)
      : createTlsServer({
        cert: tls.cert,
        key: tls.key,
        // Mutual TLS: a dialer without a certificate from `clientCa` fails the TLS handshake itself.
        ...(tls.clientCa !== undefined ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      }, refuseHttp));
    this.#secret = this.#options.secret === undefined ? undefined : secretDigest(this.#options.secret);
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: this.#options.maxPayloadBytes, perMessageDeflate: false });
    this.#http.on('upgrade', this.#onUpgrade);
  }

  /** The bound port (useful with `port: 0`). */
  get port(): number {
    const address = this.#http.address();
    return typeof address === 'object' && address !== null ? (address as AddressInfo).port : 0;
  }

  /** Peers currently connected. */
  get peers(): ReadonlySet<Peer<P>> {
    return this.#peers;
  }

  /** Registers a handler for every peer, present and future; a peer's own `handle()` takes precedence. */
  handle<M extends keyof P & string>(method: M, handler: Handler<P, M>): this {
    if (!Object.hasOwn(this.#protocol, method)) throw new TypeError(`Unknown method "${method}": not in this server's method table`);
    if (typeof handler !== 'function') throw new TypeError(`Handler for "${method}" must be a function`);
    this.#handlers.set(method, handler as AnyHandler);
    return this;
  }

  /** @internal Binds the owned HTTP server. */
  async start(): Promise<this> {
    if (!this.#ownsHttp) return this;
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen({ port: this.#options.port ?? 0, host: this.#options.host, exclusive: this.#options.exclusive }, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    this.#http.on('error', (error) => this.emit('error', error));
    return this;
  }

  /** Stops accepting, closes every peer (code 1001) and, if it owns one, the HTTP server. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  override emit<K extends keyof TransportServerEvents<P>>(event: K, ...args: TransportServerEvents<P>[K]): boolean {
    if (event === 'error' && this.listenerCount('error') === 0) return false;
    return rawEmit.call(this, event, ...args);
  }

  async #shutdown(): Promise<void> {
    this.#http.off('upgrade', this.#onUpgrade);
    const httpClosed = this.#ownsHttp
      ? new Promise<void>((resolve) => this.#http.close(() => resolve()))
      : Promise.resolve();
    await Promise.all([...this.#peers].map((peer) => peer.close(1001, 'server closing').catch(() => undefined)));
    this.#wss.close();
    if (this.#ownsHttp) this.#http.closeAllConnections();
    await httpClosed;
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { path } = this.#options;
    if (path !== undefined && new URL(req.url ?? '/', 'http://x').pathname !== path) {
      // On a shared server another upgrade listener may own this path.
      if (this.#ownsHttp) refuse(socket, 404);
      return;
    }
    if (this.#closing !== undefined) return refuse(socket, 503);
    if (this.#secret !== undefined && !isAuthorized(req.headers.authorization, this.#secret)) {
      return refuse(socket, 401, { 'WWW-Authenticate': 'Bearer' });
    }
    let identity: string | undefined;
    if (this.#options.authenticate !== undefined) {
      identity = this.#options.authenticate(bearerToken(req.headers.authorization));
      if (identity === undefined) return refuse(socket, 401, { 'WWW-Authenticate': 'Bearer' });
    }
    if (identity === undefined && this.#options.tls?.clientCa !== undefined) identity = certificateName(req.socket as TLSSocket);
    socket.on('error', () => socket.destroy());
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req, identity));
  };

  #accept(ws: WebSocket, req: IncomingMessage, identity: string | undefined): void {
    if (this.#closing !== undefined) return void ws.close(1001, 'server closing');
    const { handlers, protocol, authenticate: _authenticate, tls: _tls, ...settings } = this.#options;
    const peer = new Peer<P>({
      id: randomUUID(),
      identity,
      protocol: protocol as P,
      settings,
      handlers,
      fallback: (method) => this.#handlers.get(method),
    });
    this.#peers.add(peer);
    peer.on('close', () => this.#peers.delete(peer));
    peer[kAttach](new WebSocketCarrier(ws), req.socket.remoteAddress);
    this.emit('connection', peer);
  }
}

/** Starts accepting RPC connections; resolves once the port is bound. */
export function listen<P extends MethodTable>(options: ListenOptions<P>): Promise<TransportServer<P>> {
  try {
    return new TransportServer<P>(options).start();
  } catch (error) {
    return Promise.reject(error);
  }
}
