import type { IncomingMessage, Server } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { ClientMessageSchema, errorBody, type ServerMessage } from '@infermesh/contracts';
import { formatIssues } from '@infermesh/config';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, toApiError } from './api-error.js';
import type { ClientAuth } from './client-auth.js';
import { rateSubject, type RateLimits, type RateSubject } from './rate-limits.js';
import type { InferenceService } from './inference-service.js';
import { requestDeadline } from './request-deadline.js';
import type { RequestTelemetry } from './request-telemetry.js';

export interface ClientSocketOptions {
  service: InferenceService;
  telemetry: RequestTelemetry;
  path: string;
  maxPayloadBytes: number;
  /** Requests one connection may have in flight; beyond it each new one is refused (IM_OVERLOADED). */
  maxInFlightPerConnection: number;
  accepting: () => boolean;
  /** Longest a request may take; caps the `timeout_ms` parameter a client sets on a request. */
  requestTimeoutMs: number;
  /** API keys: the upgrade request must carry one (401 before upgrading). */
  auth?: ClientAuth | undefined;
  /** Per-key rate limits: each infer frame takes a token of the connection's key. */
  rateLimits?: RateLimits | undefined;
}

function errorFrame(error: ApiError, id?: string): ServerMessage {
  return {
    type: 'error', ...(id !== undefined ? { id } : {}), ...errorBody(error),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
  };
}

/**
 * The pipelined WebSocket client API: JSON frames, answers matched by id, out of order. A bad
 * frame gets an error frame and the connection stays; closing the socket cancels its requests.
 */
export function attachClientSocket(server: Server | TlsServer, options: ClientSocketOptions): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const edge = { protocol: 'ws', method: 'infer', route: options.path, path: options.path } as const;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== options.path || !options.accepting()) {
      socket.end(`HTTP/1.1 ${path === options.path ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    if (options.auth && !options.auth.allows(req.headers)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Bearer realm="infermesh"\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const rateLimits = options.rateLimits?.enabled ? options.rateLimits : undefined;
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const subject: RateSubject | undefined = rateLimits ? rateSubject(options.auth, req.headers, req.socket.remoteAddress) : undefined;
    const inFlight = new Map<string, AbortController>();
    const reply = (message: ServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };

    ws.on('message', (data, isBinary) => {
      const receivedAt = performance.now();
      // A frame refused before its trace starts still gets its access-log line (an infer frame's comes from its trace).
      const refuse = (api: ApiError, id?: string, method = 'frame'): void => {
        options.telemetry.accessLog?.record({
          protocol: 'ws', method, route: options.path, status: api.spec.http, code: api.code, duration_ms: Math.round((performance.now() - receivedAt) * 1000) / 1000,
        }, api.spec.http >= 500);
        reply(errorFrame(api, id));
      };
      let parsed: unknown;
      try {
        if (isBinary) throw new Error('frames must be JSON text');
        parsed = JSON.parse(data.toString());
      } catch (error) {
        refuse(new ApiError('IM_BAD_REQUEST', `unreadable frame: ${(error as Error).message}`));
        return;
      }
      const message = ClientMessageSchema.safeParse(parsed);
      if (!message.success) {
        const id = (parsed as { id?: unknown })?.id;
        refuse(new ApiError('IM_BAD_REQUEST', formatIssues(message.error).join('; ')), typeof id === 'string' ? id : undefined);
        return;
      }
      const m = message.data;
      if (m.type === 'cancel') {
        inFlight.get(m.id)?.abort();
        return;
      }
      if (inFlight.has(m.id)) {
        refuse(new ApiError('IM_BAD_REQUEST', `request id '${m.id}' is already in flight`), m.id, m.type);
        return;
      }
      if (rateLimits && subject) {
        try {
          rateLimits.take(subject);
        } catch (error) {
          refuse(toApiError(error), m.id, m.type);
          return;
        }
      }
      if (inFlight.size >= options.maxInFlightPerConnection) {
        refuse(new ApiError('IM_OVERLOADED', `this connection has ${inFlight.size} requests in flight`), m.id, m.type);
        return;
      }
      let deadline;
      try {
        deadline = requestDeadline({ parameters: m.request.parameters }, options.requestTimeoutMs);
      } catch (error) {
        refuse(toApiError(error), m.id, m.type);
        return;
      }
      const abort = new AbortController();
      inFlight.set(m.id, abort);
      // One trace per infer frame.
      const trace = options.telemetry.start('WS infer', edge);
      options.service
        .infer(m.model, m.version, m.request, { signal: abort.signal, trace, deadline })
        .then(
          (response) => {
            options.telemetry.finish(trace, 'ok');
            reply({ type: 'result', id: m.id, response });
          },
          (error: unknown) => {
            const api = toApiError(error);
            options.telemetry.finish(trace, api.code);
            reply(errorFrame(api, m.id));
          },
        )
        .finally(() => inFlight.delete(m.id));
    });

    ws.on('close', () => {
      for (const abort of inFlight.values()) abort.abort();
      inFlight.clear();
    });
    ws.on('error', () => ws.terminate());
  });

  return wss;
}
