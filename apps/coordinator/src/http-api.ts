import {
  binaryInputs, INFERENCE_HEADER_CONTENT_LENGTH, ModelNameSchema, ModelVersionSchema, parseInferRequestJson, splitBinaryBody,
  rawBinaryRequest, RepositoryIndexRequestSchema, RepositoryModelRequestSchema, type InferRequestJson, type ServerMetadata, type Tensor,
} from '@infermesh/contracts';
import { formatIssues } from '@infermesh/config';
import { dashboardHtml } from '@infermesh/telemetry';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ApiError, toApiError } from './api-error.js';
import { answeredCode, clientError, fromFramework, send, sendAnswer } from './http-answers.js';
import { connectionSignal } from './connection-signal.js';
import type { AsyncJobs } from './async-jobs.js';
import { isGuardedApiPath, type ClientAuth } from './client-auth.js';
import type { CoordinatorTelemetry } from './coordinator-telemetry.js';
import type { InferenceService } from './inference-service.js';
import type { LaneTable } from './lanes.js';
import type { ModelRepositoryControl } from './model-repository-control.js';
import { requestDeadline, TIMEOUT_HEADER } from './request-deadline.js';
import { rateSubject, type RateLimits } from './rate-limits.js';
import type { RequestTrace } from './request-telemetry.js';
import type { ResponseCache } from './response-cache.js';
import type { PlacementStatus } from './replica-reconciler.js';
import type { WorkerPool } from './worker-pool.js';

export interface HttpApiOptions {
  service: InferenceService;
  /** The model repository extension: index, load, unload. */
  repository: ModelRepositoryControl;
  pool: WorkerPool;
  lanes: LaneTable;
  jobs: AsyncJobs;
  cache: ResponseCache | undefined;
  log: Logger;
  telemetry: CoordinatorTelemetry;
  bodyLimitBytes: number;
  version: string;
  /** False from the first moment of a shutdown: readiness answers 503. */
  ready: () => boolean;
  /** What runs degraded but still serves (etcd unreachable): readiness stays 200 and lists it. Default: nothing. */
  degraded?: (() => string[]) | undefined;
  /** Many coordinators: this one's id, whether it leads placement, the workers registered in etcd, the replicas it places. */
  cluster?: (() => { id: string; leader: boolean; registered: string[]; placement?: PlacementStatus | undefined } | undefined) | undefined;
  /** False once the coordinator refuses new work (after the pre-stop delay): requests get 503 and `connection: close`. */
  accepting: () => boolean;
  /** Client API keys; results of async requests are bound to the key that submitted them. */
  auth?: ClientAuth | undefined;
  /** Per-key rate limits of the API routes (not the health probes, not `/metrics`). */
  rateLimits?: RateLimits | undefined;
  /** Timeouts and the connection cap of the client-facing server. */
  server: { headersTimeoutMs: number; receiveTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number };
  /** Longest a request may take; caps the deadline a client asks for (`x-request-timeout-ms`, `timeout_ms`). */
  requestTimeoutMs: number;
  /** PEM certificate and key: serve over TLS. */
  https?: { cert: Buffer; key: Buffer } | undefined;
}

const ModelParams = z.object({ name: ModelNameSchema, version: ModelVersionSchema.optional() });
const StatsParams = z.object({ name: ModelNameSchema.optional(), version: ModelVersionSchema.optional() });

/** The body of a route whose body is optional JSON, checked by its schema: a bad one is a 400. */
function bodyOf<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const p = schema.safeParse(body);
  if (!p.success) throw new ApiError('IM_BAD_REQUEST', formatIssues(p.error).join('; '));
  return p.data;
}
const RequestParams = z.object({ id: z.string().min(1).max(64) });
const TraceParams = z.object({ id: z.string().regex(/^(?!0{32})[0-9a-f]{32}$/, 'a trace id is 32 lowercase hex digits, not all zero') });

/** A handler whose route parameters its schema checks, once, before it runs: a bad one is a 400, never a 500. */
function withParams<S extends z.ZodType, R>(
  schema: S, handler: (params: z.output<S>, req: FastifyRequest, reply: FastifyReply) => Promise<R>,
): (req: FastifyRequest, reply: FastifyReply) => Promise<R> {
  return (req, reply) => {
    const p = schema.safeParse(req.params);
    if (!p.success) throw new ApiError('IM_BAD_REQUEST', formatIssues(p.error).join('; '));
    return handler(p.data, req, reply);
  };
}

/** The Open Inference Protocol (KServe v2) REST API, plus async results and a status page. */
export function buildHttpApi(options: HttpApiOptions) {
  const { service, pool, lanes, jobs, log, telemetry, auth } = options;
  const dashboardPage = dashboardHtml({ title: 'infermesh coordinator' });
  const limits = options.server;
  // Node checks header and request deadlines on this interval (30 s by default): a slow-header client is closed within it.
  const timeouts = { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs) };
  const app = Fastify({
    loggerInstance: log,
    // Per-request log lines cost more than the request at load; failures are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (pino's `child` serialises its bindings each time): the one line written
    // from a request, an internal failure below, names the request itself.
    childLoggerFactory: (logger) => logger,
    bodyLimit: options.bodyLimitBytes,
    // Shutdown is answered by the hook below, with a code and `connection: close`.
    return503OnClosing: false,
    requestTimeout: limits.receiveTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Longer than any name the API takes (a model name is at most 128 characters).
    routerOptions: { maxParamLength: 256 },
    clientErrorHandler: clientError,
    frameworkErrors: (error, _request, reply) => send(reply, fromFramework(error)),
    ...(options.https ? { https: { ...options.https, ...timeouts } } : { http: timeouts }),
  });
  app.server.maxConnections = limits.maxConnections;

  // While shutting down, a request on a kept-alive connection gets 503 and the connection is closed after it.
  // The hooks every request passes are callback hooks, not async ones: no promise and no microtask each.
  app.addHook('onRequest', (_request, reply, done) => {
    if (options.accepting()) return done();
    reply.header('connection', 'close');
    done(new ApiError('IM_SHUTTING_DOWN', 'the coordinator is shutting down'));
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!options.accepting()) reply.header('connection', 'close');
    done(null, payload);
  });
  if (auth) app.addHook('onRequest', auth.hook);
  // One access-log line per request: an inference request's is written by its trace when it finishes
  // (with its model and trace id); every other request's (and an inference request refused before its
  // handler ran, e.g. a body that is not JSON) here.
  const traced = new WeakSet<FastifyRequest>();
  app.addHook('onResponse', (request, reply, done) => {
    done();
    if (traced.has(request)) return;
    const status = reply.statusCode;
    const name = (request.params as { name?: unknown } | undefined)?.name;
    telemetry.accessLog.record({
      protocol: 'http', method: request.method, route: request.routeOptions.url ?? 'unmatched', model: typeof name === 'string' ? name : undefined,
      status, code: answeredCode(request) ?? (status < 400 ? 'ok' : 'IM_INTERNAL'), duration_ms: Math.round(reply.elapsedTime * 1000) / 1000,
    }, status >= 500);
  });
  const rateLimits = options.rateLimits;
  if (rateLimits?.enabled) {
    // After the key check: a request without a valid key was refused already and spends no one's tokens.
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        if (isGuardedApiPath(request.url)) rateLimits.take(rateSubject(auth, request.headers, request.socket.remoteAddress));
      } catch (error) {
        return done(error as Error);
      }
      done();
    });
  }

  // The Open Inference Protocol's clients send JSON with any content type or none (Triton's sends none):
  // every body is read as JSON whatever its content type; only a body that does not parse is refused (400).
  const binaryParts = new WeakMap<FastifyRequest, Uint8Array>();
  // `Inference-Header-Content-Length: 0`: the body is one input's raw bytes, no JSON (the extension's raw binary request).
  const rawBodies = new WeakMap<FastifyRequest, Uint8Array>();
  app.removeAllContentTypeParsers();
  // With `Inference-Header-Content-Length` (binary tensor data extension) the JSON header is parsed here and
  // the raw tensor bytes are kept aside for the route, which decodes them straight into typed arrays.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const buffer = body as Buffer;
    const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
    try {
      if (headerLength !== undefined) {
        const length = /^\d{1,12}$/.test(String(headerLength)) ? Number(headerLength) : Number.NaN;
        if (length === 0) {
          rawBodies.set(request, buffer);
          return done(null, undefined);
        }
        const split = splitBinaryBody(buffer, length);
        binaryParts.set(request, split.binary);
        return done(null, split.header);
      }
      if (buffer.length === 0) return done(null, undefined);
      done(null, JSON.parse(buffer.toString('utf8')));
    } catch (error) {
      if (error instanceof ApiError) return done(error, undefined);
      done(new ApiError('IM_BAD_REQUEST', `the body is not JSON: ${(error as Error).message}`, { cause: error }), undefined);
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const api = fromFramework(error);
    if (api.code === 'IM_INTERNAL') {
      log.error({ err: error, reqId: request.id, trace_id: reply.getHeader('x-request-id'), method: request.method, url: request.url }, 'request failed');
    }
    return send(reply, api);
  });
  app.setNotFoundHandler((request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    const other = (['GET', 'POST'] as const).filter((method) => method !== request.method && app.findRoute({ method, url }) !== null);
    if (other.length > 0) {
      reply.header('allow', other.join(', '));
      return send(reply, new ApiError('IM_METHOD_NOT_ALLOWED', `${request.method} ${url}: use ${other.join(' or ')}`));
    }
    return send(reply, new ApiError('IM_NOT_FOUND', `no route ${request.method} ${url}`));
  });

  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_req, reply) => {
    const ready = options.ready() && lanes.ready();
    const degraded = options.degraded?.() ?? [];
    return reply.code(ready ? 200 : 503).send(degraded.length > 0 ? { ready, degraded } : { ready });
  });
  app.get('/v2', async (): Promise<ServerMetadata> => ({
    name: 'infermesh',
    version: options.version,
    // Exactly the extensions that work (docs/protocol.md), by the names Triton uses.
    extensions: ['binary_tensor_data', 'classification', 'model_configuration', 'model_repository', 'statistics', 'async_infer', 'websocket'],
  }));
  app.get('/v2/status', async () => ({
    ready: options.ready(),
    degraded: options.degraded?.() ?? [],
    ...(options.cluster?.() ? { cluster: options.cluster() } : {}),
    accepting: options.accepting(),
    inFlight: service.inFlight,
    asyncPending: jobs.pending,
    workers: pool.status((w) => lanes.balancing(w)),
    batching: lanes.stats(),
    cache: (await options.cache?.stats()) ?? { tier: 'off' },
  }));

  const metadata = withParams(ModelParams, async ({ name, version }) => service.metadata(name, version));
  app.get('/v2/models/:name', metadata);
  app.get('/v2/models/:name/versions/:version', metadata);

  // Model configuration extension: Triton's ModelConfig JSON, from the spec and the workers serving it.
  const config = withParams(ModelParams, async ({ name, version }) => service.config(name, version));
  app.get('/v2/models/:name/config', config);
  app.get('/v2/models/:name/versions/:version/config', config);

  // Statistics extension: every model, one model's versions, or one version.
  const stats = withParams(StatsParams, async ({ name, version }) => service.statistics(name, version));
  app.get('/v2/models/stats', stats);
  app.get('/v2/models/:name/stats', stats);
  app.get('/v2/models/:name/versions/:version/stats', stats);

  // Model repository extension with explicit model control (load and unload act on the workers).
  const { repository } = options;
  app.post('/v2/repository/index', async (req) => repository.index(bodyOf(RepositoryIndexRequestSchema, req.body)));
  const NameParams = ModelParams.pick({ name: true });
  app.post('/v2/repository/models/:name/load', withParams(NameParams, async ({ name }, req, reply) => {
    bodyOf(RepositoryModelRequestSchema, req.body);
    await repository.load(name);
    return reply.code(200).send();
  }));
  app.post('/v2/repository/models/:name/unload', withParams(NameParams, async ({ name }, req, reply) => {
    bodyOf(RepositoryModelRequestSchema, req.body);
    await repository.unload(name);
    return reply.code(200).send();
  }));

  const ready = withParams(ModelParams, async ({ name, version }, _req, reply) => {
    const isReady = options.ready() && service.ready(name, version);
    return reply.code(isReady ? 200 : 503).send({ name, ready: isReady });
  });
  app.get('/v2/models/:name/ready', ready);
  app.get('/v2/models/:name/versions/:version/ready', ready);

  // One trace per inference request, continuing the caller's; its id is also the request id the client can look up.
  const startTrace = (req: FastifyRequest, reply: FastifyReply): RequestTrace => {
    const route = req.routeOptions.url ?? '/v2/models/:name/infer';
    const trace = telemetry.requests.start(`POST ${route}`, { protocol: 'http', method: 'POST', route, path: req.url.split('?')[0] }, req.headers['traceparent']);
    traced.add(req);
    reply.header('traceparent', trace.traceparent).header('x-request-id', trace.traceId);
    return trace;
  };
  // At capacity, before the body is read: the refusal, its headers and its metric labels are those of the
  // handler's, without parsing and decoding a body that would be refused. A model that does not resolve
  // is left to the handler (its 404 or 400).
  // A callback hook, not an async one: it runs for every inference request, and a slot is nearly always free.
  const refuseWhenFull = (req: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    const refusal = service.refusalWhenFull();
    if (refusal === undefined) return done();
    const params = ModelParams.safeParse(req.params);
    if (!params.success) return done();
    let spec;
    try {
      spec = service.resolve(params.data.name, params.data.version);
    } catch {
      return done();
    }
    const trace = startTrace(req, reply);
    trace.resolved(spec.name, spec.version);
    telemetry.requests.finish(trace, refusal.code);
    done(refusal);
  };
  const infer = withParams(ModelParams, async ({ name, version }, req, reply) => {
    const trace = startTrace(req, reply);
    let outcome = 'ok';
    let finishLater = false;
    try {
      const raw = rawBodies.get(req);
      let body: { data: InferRequestJson };
      let binary: ReadonlyMap<string, Tensor> | undefined;
      if (raw) {
        const stands = rawBinaryRequest(service.resolve(name, version), raw);
        body = { data: stands.request };
        binary = stands.binary;
      } else {
        const parsed = parseInferRequestJson(req.body);
        if (!parsed.success) throw new ApiError('IM_BAD_REQUEST', formatIssues(parsed.error).join('; '));
        body = parsed;
        const binaryPart = binaryParts.get(req);
        binary = binaryPart ? binaryInputs(body.data.inputs, binaryPart, service.resolve(name, version).rawBytesInputs) : undefined;
      }
      const deadline = requestDeadline({ header: req.headers[TIMEOUT_HEADER], parameters: body.data.parameters }, options.requestTimeoutMs);
      const prefer = String(req.headers.prefer ?? '');
      if (/\brespond-async\b/.test(prefer)) {
        service.resolve(name, version);
        const id = jobs.submit(() =>
          service.infer(name, version, body.data, { trace, deadline, binary }).then(
            (response) => {
              telemetry.requests.finish(trace, 'ok');
              return response;
            },
            (error: unknown) => {
              telemetry.requests.finish(trace, toApiError(error).code);
              throw error;
            },
          ),
          auth?.identify(req.headers),
        );
        finishLater = true;
        const location = `/v2/requests/${id}`;
        return reply.code(202).header('location', location).send({ id, status: 'pending', location });
      }
      // A client that goes away cancels its request.
      const answer = await service.inferTensors(name, version, body.data, { signal: connectionSignal(req.raw.socket), trace, deadline, binary });
      const cache = answer.parameters?.['infermesh_cache'];
      if (cache !== undefined) reply.header('x-infermesh-cache', String(cache));
      return sendAnswer(reply, body.data, answer);
    } catch (error) {
      outcome = fromFramework(error).code;
      throw error;
    } finally {
      if (!finishLater) telemetry.requests.finish(trace, outcome);
    }
  });
  app.post('/v2/models/:name/infer', { onRequest: refuseWhenFull }, infer);
  app.post('/v2/models/:name/versions/:version/infer', { onRequest: refuseWhenFull }, infer);

  app.get('/v2/traces/:id', withParams(TraceParams, async ({ id }) => {
    const stored = await telemetry.findTrace(id);
    if (!stored) throw new ApiError('IM_NOT_FOUND', `no trace '${id}' (unknown or evicted)`);
    return stored;
  }));

  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await telemetry.exposition();
    return reply.header('content-type', contentType).send(body);
  });
  app.get('/dashboard', async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(dashboardPage));
  app.get('/v2/dashboard/data', async () => telemetry.dashboardData());

  app.get('/v2/requests/:id', withParams(RequestParams, async ({ id }, req, reply) => {
    // Another key's result answers exactly as an unknown id does.
    const status = await jobs.lookup(id, auth?.identify(req.headers));
    if (!status) throw new ApiError('IM_REQUEST_NOT_FOUND', `no async request '${id}' (unknown or expired)`);
    return reply.code(status.status === 'pending' ? 202 : 200).send(status);
  }));

  return app;
}
