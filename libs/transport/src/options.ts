import type { Server as HttpServer } from 'node:http';
import { MAX_TIMER_MS, fn, parseOptions } from '@infermesh/foundation';
import { z } from 'zod/v4';
import type { Handlers, MethodTable } from './method-table.js';

const ProtocolSchema = z.custom<MethodTable>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    Object.values(v).every(
      (m: unknown) =>
        typeof m === 'object' && m !== null && 'request' in m && 'response' in m &&
        m.request instanceof z.ZodType && m.response instanceof z.ZodType,
    ),
  'expected a method table: { [method]: { request: ZodType, response: ZodType } }',
);
const HandlersSchema = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && Object.values(v).every((h) => typeof h === 'function'),
  'expected an object of handler functions',
);
/** Options every connection has, whichever side opened it. */
const connectionShape = {
  protocol: ProtocolSchema,
  handlers: HandlersSchema.optional(),
  /** Shared secret for the handshake; absent means no authentication. */
  secret: z.string().min(1).optional(),
  heartbeatIntervalMs: z.int().min(0).max(MAX_TIMER_MS).default(10_000),
  heartbeatTimeoutMs: z.int().min(1).max(MAX_TIMER_MS).default(5_000),
  maxPayloadBytes: z.int().min(1024).max(2 ** 31).default(64 * 1024 * 1024),
  maxPendingCalls: z.int().min(1).default(1024),
  maxBufferedBytes: z.int().min(0).default(16 * 1024 * 1024),
  timeoutMs: z.int().min(1).max(MAX_TIMER_MS).default(30_000),
  closeTimeoutMs: z.int().min(0).max(MAX_TIMER_MS).default(2_000),
};

/** A PEM text (or its bytes): a certificate chain, a private key, or CA certificates. */
const PemSchema = z.union([z.string().min(1), z.instanceof(Buffer)]);

/** The listener's TLS: with it the listener speaks `wss`. */
export const ListenTlsSchema = z.strictObject({
  /** The listener's certificate chain (PEM). */
  cert: PemSchema,
  /** Its private key (PEM). */
  key: PemSchema,
  /**
   * Mutual TLS: the CA certificates a dialer's client certificate must chain to. With it, a dialer
   * without such a certificate is refused in the TLS handshake, and the certificate's subject CN
   * becomes the peer's `identity` (unless `authenticate` names one).
   */
  clientCa: PemSchema.optional(),
});

/** The dialer's TLS, for a `wss://` URL. */
export const DialTlsSchema = z
  .strictObject({
    /** CA certificates the listener's certificate must chain to. Default: Node's root store. */
    ca: PemSchema.optional(),
    /** A client certificate (PEM), for a listener that asks for one (mutual TLS); with `key`. */
    cert: PemSchema.optional(),
    key: PemSchema.optional(),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'give a client cert and its key together', path: ['key'] });

export const ListenOptionsSchema = z
  .strictObject({
    ...connectionShape,
    port: z.int().min(0).max(65_535).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * In a node:cluster member: bind the port in this process (Node's `exclusive`), not through the
     * primary, which shares one port among the members (with `port: 0`, the same free port for them all)
     * and hands each connection to one of them. Outside a cluster it changes nothing.
     */
    exclusive: z.boolean().default(false),
    server: z.custom<HttpServer>((v) => typeof v === 'object' && v !== null && typeof (v as HttpServer).on === 'function', 'expected an http.Server').optional(),
    path: z.string().startsWith('/').optional(),
    /**
     * Per-connection credentials: called on each handshake with the dialer's bearer token (undefined when
     * none was sent); returns the identity the token stands for (it becomes the peer's `identity`), or
     * undefined to refuse with 401. Called again on every connect, so a revoked token is refused next time.
     */
    authenticate: fn<(token: string | undefined) => string | undefined>('authenticate').optional(),
    /** Serve `wss`: the listener's certificate and key, and for mutual TLS the CA of client certificates. */
    tls: ListenTlsSchema.optional(),
  })
  .superRefine((o, ctx) => {
    if (o.server !== undefined && o.tls !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'give tls to the server you pass (an https.Server), not to listen' });
    }
    if (o.server !== undefined && o.port !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: 'give either port or server, not both' });
    }
    if (o.server !== undefined && o.exclusive) {
      ctx.addIssue({ code: 'custom', path: ['exclusive'], message: 'exclusive binds a port of this listener\'s own: not with server' });
    }
    if (o.secret !== undefined && o.authenticate !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['authenticate'], message: 'give either secret or authenticate, not both' });
    }
  });

export const ReconnectOptionsSchema = z
  .strictObject({
    initialDelayMs: z.int().min(0).max(MAX_TIMER_MS).default(100),
    maxDelayMs: z.int().min(0).max(MAX_TIMER_MS).default(10_000),
    factor: z.number().min(1).max(100).default(2),
    jitter: z.number().min(0).max(1).default(0.2),
    /** Failed attempts in a row before giving up; absent means never give up. */
    maxAttempts: z.int().min(1).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.maxDelayMs < o.initialDelayMs) {
      ctx.addIssue({ code: 'custom', path: ['maxDelayMs'], message: 'must be >= initialDelayMs', params: { range: true } });
    }
  });

export interface TimerApi {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export const DialOptionsSchema = z.strictObject({
  ...connectionShape,
  reconnect: z.union([ReconnectOptionsSchema, z.literal(false)]).default(() => ReconnectOptionsSchema.parse({})),
  connectTimeoutMs: z.int().min(1).max(MAX_TIMER_MS).default(10_000),
  /** For a `wss://` URL: which CA to trust, and a client certificate for mutual TLS. */
  tls: DialTlsSchema.optional(),
  /** Random source in [0, 1) for reconnect jitter (inject a fixed one in tests). */
  random: fn<() => number>().default(() => Math.random),
  /** Timer used to schedule reconnects (inject a fake one in tests). */
  timers: z
    .custom<TimerApi>((v) => typeof v === 'object' && v !== null && typeof (v as TimerApi).setTimeout === 'function' && typeof (v as TimerApi).clearTimeout === 'function', 'expected { setTimeout, clearTimeout }')
    .optional(),
  /** A label for this peer in events and logs; a random one otherwise. */
  id: z.string().min(1).max(256).optional(),
});

/** A worker thread's channel: no socket, so no secret, heartbeat or payload limit of its own. */
export const PortOptionsSchema = z.strictObject({
  protocol: connectionShape.protocol,
  handlers: connectionShape.handlers,
  maxPendingCalls: connectionShape.maxPendingCalls,
  timeoutMs: connectionShape.timeoutMs,
  closeTimeoutMs: connectionShape.closeTimeoutMs,
  /** A label for this peer in events and logs (its `remoteAddress` too); a random one otherwise. */
  id: z.string().min(1).max(256).optional(),
  /**
   * Methods whose answers this peer takes as sent, not checked against the response schema (no defaults
   * filled in; the same objects on a `LocalChannel`). Only for a method answered by your own code in this
   * process, such as the coordinator's `infer` to its inline worker. Calls are still checked where they
   * are handled, and every other method's answers here.
   */
  uncheckedAnswers: z.array(z.string().min(1)).max(64).default([]),
  /**
   * Methods whose calls this peer's handlers take as sent, not checked against the request schema: no
   * defaults are filled in, so the caller must send the parsed form (the schema's output type). Only for
   * a caller that is your own code in this process, such as the coordinator's lanes calling its inline
   * worker's `infer`: the schema walk of each batch (about 30 µs for one item in a busy coordinator) buys
   * nothing there. Every other method's calls are still checked.
   */
  uncheckedCalls: z.array(z.string().min(1)).max(64).default([]),
});

type Typed<T, P extends MethodTable> = Omit<T, 'protocol' | 'handlers'> & { protocol: P; handlers?: Handlers<P> };

export type ReconnectOptions = z.input<typeof ReconnectOptionsSchema>;
export type ListenOptions<P extends MethodTable> = Typed<z.input<typeof ListenOptionsSchema>, P>;
export type DialOptions<P extends MethodTable> = Typed<z.input<typeof DialOptionsSchema>, P>;
export type PortOptions<P extends MethodTable> = Typed<z.input<typeof PortOptionsSchema>, P>;
export type ListenTlsOptions = z.input<typeof ListenTlsSchema>;
export type DialTlsOptions = z.input<typeof DialTlsSchema>;
export type ParsedListenOptions = z.output<typeof ListenOptionsSchema>;
export type ParsedDialOptions = z.output<typeof DialOptionsSchema>;
export type ParsedReconnectOptions = z.output<typeof ReconnectOptionsSchema>;
/** The options a connection runs with, whichever side opened it. */
export type ConnectionSettings = Pick<
  ParsedDialOptions,
  'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'maxPendingCalls' | 'maxBufferedBytes' | 'timeoutMs' | 'closeTimeoutMs'
> & { uncheckedAnswers?: ReadonlySet<string>; uncheckedCalls?: ReadonlySet<string> };

// Re-exported for this library's own modules; the one implementation lives in @infermesh/foundation.
export { parseOptions, MAX_TIMER_MS };
