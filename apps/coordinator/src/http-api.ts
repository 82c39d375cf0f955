import {
  errorBody, InferRequestJsonSchema, ModelNameSchema, ModelVersionSchema, type ServerMetadata,
} from '@infermesh/contracts';
import { formatIssues } from '@infermesh/config';
import { dashboardHtml } from '@infermesh/telemetry';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ApiError, toApiError } from './api-error.js';
import type { AsyncJobs } from './async-jobs.js';
import type { CoordinatorTelemetry } from './coordinator-telemetry.js';
import type { InferenceService } from './inference-service.js';
import type { LaneTable } from './lanes.js';
import { requestDeadline, TIMEOUT_HEADER } from './request-deadline.js';
import type { ResponseCache } from './response-cache.js';
import type { WorkerPool } from './worker-pool.js';

export interface HttpApiOptions {
  service: InferenceService;
  pool: WorkerPool;
  lanes: LaneTable;
  jobs: AsyncJobs;
  cache: ResponseCache | undefined;
  log: Logger;
  telemetry: CoordinatorTelemetry;
  bodyLimitBytes: number;
  version: string;
  /** False once the coordinator is draining: readiness turns false. */
  accepting: () => boolean;
  /** Longest a request may take; caps the deadline a client asks for (`x-request-timeout-ms`, `timeout_ms`). */
  requestTimeoutMs: number;
  /** PEM certificate and key: serve over TLS. */
  https?: { cert: Buffer; key: Buffer } | undefined;
}

const ModelParams = z.object({ name: ModelNameSchema, version: ModelVersionSchema.optional() });
const RequestParams = z.object({ id: z.string().min(1).max(64) });
const TraceParams = z.object({ id: z.string().regex(/^(?!0{32})[0-9a-f]{32}$/, 'a trace id is 32 lowercase hex digits, not all zero') });

function send(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.spec.http).send(errorBody(error));
}

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

/** Fastify's own failures (body parsing, size) as documented codes. */
function fromFastify(error: { code?: string; statusCode?: number; message: string }): ApiError {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('IM_PAYLOAD_TOO_LARGE', error.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('IM_UNSUPPORTED_MEDIA_TYPE', 'send the request as application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('IM_BAD_REQUEST', error.message);
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && error.code?.startsWith('FST_'))) {
    return new ApiError('IM_BAD_REQUEST', error.message);
  }
  return toApiError(error);
}

/** The Open Inference Protocol (KServe v2) REST API, plus async results and a status page. */
export function buildHttpApi(options: HttpApiOptions) {
  const { service, pool, lanes, jobs, log, telemetry } = options;
  const dashboardPage = dashboardHtml({ title: 'infermesh coordinator' });
  const app = Fastify({
    loggerInstance: log,
    // Per-request log lines cost more than the request at load; failures are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    return503OnClosing: true,
    ...(options.https ? { https: options.https } : {}),
  });

  // Only JSON bodies: text/plain is not an inference request (415, not a confusing 400).
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => {
    const api = fromFastify(error as { code?: string; statusCode?: number; message: string });
    if (api.code === 'IM_INTERNAL') request.log.error({ err: error }, 'request failed');
    return send(reply, api);
  });
  app.setNotFoundHandler((request, reply) =>
    send(reply, new ApiError('IM_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_req, reply) => {
    const ready = options.accepting() && lanes.ready();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/v2', async (): Promise<ServerMetadata> => ({
    name: 'infermesh',
    version: options.version,
    extensions: ['model_repository', 'async_infer', 'websocket'],
  }));
  app.get('/v2/status', async () => ({
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

  const ready = withParams(ModelParams, async ({ name, version }, _req, reply) => {
    const isReady = options.accepting() && service.ready(name, version);
    return reply.code(isReady ? 200 : 503).send({ name, ready: isReady });
  });
  app.get('/v2/models/:name/ready', ready);
  app.get('/v2/models/:name/versions/:version/ready', ready);

  const infer = withParams(ModelParams, async ({ name, version }, req, reply) => {
    // One trace per request, continuing the caller's; its id is also the request id the client can look up.
    const trace = telemetry.requests.start('POST /v2/models/:name/infer', req.headers['traceparent']);
    reply.header('traceparent', trace.traceparent).header('x-request-id', trace.traceId);
    let outcome = 'ok';
    let finishLater = false;
    try {
      if (!options.accepting()) throw new ApiError('IM_SHUTTING_DOWN', 'the coordinator is draining', { retryAfterSeconds: 1 });
      const body = InferRequestJsonSchema.safeParse(req.body);
      if (!body.success) throw new ApiError('IM_BAD_REQUEST', formatIssues(body.error).join('; '));
      const deadline = requestDeadline({ header: req.headers[TIMEOUT_HEADER], parameters: body.data.parameters }, options.requestTimeoutMs);
      const prefer = String(req.headers.prefer ?? '');
      if (/\brespond-async\b/.test(prefer)) {
        service.resolve(name, version);
        const id = jobs.submit(() =>
          service.infer(name, version, body.data, { trace, deadline }).then(
            (response) => {
              telemetry.requests.finish(trace, 'ok');
              return response;
            },
            (error: unknown) => {
              telemetry.requests.finish(trace, toApiError(error).code);
              throw error;
            },
          ),
        );
        finishLater = true;
        const location = `/v2/requests/${id}`;
        return reply.code(202).header('location', location).send({ id, status: 'pending', location });
      }
      // A client that goes away cancels its request.
      const abort = new AbortController();
      const onClose = (): void => abort.abort();
      reply.raw.once('close', onClose);
      try {
        const response = await service.infer(name, version, body.data, { signal: abort.signal, trace, deadline });
        const cache = response.parameters?.['infermesh_cache'];
        if (cache !== undefined) reply.header('x-infermesh-cache', String(cache));
        return response;
      } finally {
        reply.raw.off('close', onClose);
      }
    } catch (error) {
      outcome = fromFastify(error as { code?: string; statusCode?: number; message: string }).code;
      throw error;
    } finally {
      if (!finishLater) telemetry.requests.finish(trace, outcome);
    }
  });
  app.post('/v2/models/:name/infer', infer);
  app.post('/v2/models/:name/versions/:version/infer', infer);

  app.get('/v2/traces/:id', withParams(TraceParams, async ({ id }) => {
    const stored = telemetry.trace(id);
    if (!stored) throw new ApiError('IM_NOT_FOUND', `no trace '${id}' (unknown or evicted)`);
    return stored;
  }));

  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await telemetry.exposition();
    return reply.header('content-type', contentType).send(body);
  });
  app.get('/dashboard', async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(dashboardPage));
  app.get('/v2/dashboard/data', async () => telemetry.dashboardData());

  app.get('/v2/requests/:id', withParams(RequestParams, async ({ id }, _req, reply) => {
    const status = jobs.get(id);
    if (!status) throw new ApiError('IM_REQUEST_NOT_FOUND', `no async request '${id}' (unknown or expired)`);
    return reply.code(status.status === 'pending' ? 202 : 200).send(status);
  }));

  return app;
}
