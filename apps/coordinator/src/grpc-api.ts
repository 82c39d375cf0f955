import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  ApiError, GRPC_LOADER_OPTIONS, GRPC_STATUS, ModelNameSchema, ModelVersionSchema, errorBody, inferRequestFromGrpc, inferResponseToGrpc,
  type GrpcInferRequest, type GrpcInferResponse,
} from '@infermesh/contracts';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Logger } from 'pino';
import { toApiError } from './api-error.js';
import { isGuardedApiPath, type ClientAuth } from './client-auth.js';
import { rateSubject, type RateLimits } from './rate-limits.js';
import type { InferenceService } from './inference-service.js';
import type { LaneTable } from './lanes.js';
import type { ModelRepositoryControl } from './model-repository-control.js';
import { requestDeadline } from './request-deadline.js';
import type { RequestTelemetry } from './request-telemetry.js';

/**
 * The service definition shipped in @infermesh/contracts (`proto/grpc_service.proto`, beside its
 * package.json; not an export, which would need types): the file clients generate their stubs from.
 */
export const GRPC_PROTO_FILE = join(dirname(createRequire(import.meta.url).resolve('@infermesh/contracts/package.json')), 'proto', 'grpc_service.proto');

/** The trailing metadata key that carries an error's `IM_*` code. */
export const GRPC_CODE_KEY = 'im-code';

/**
 * Protocol extensions served over gRPC: Triton's model configuration (ModelConfig), model repository
 * (RepositoryIndex, RepositoryModelLoad, RepositoryModelUnload) and statistics (ModelStatistics) calls.
 * The HTTP-only ones (`binary_tensor_data`, `async_infer`, `websocket`) have no gRPC form: raw contents
 * are part of gRPC's core messages.
 */
export const GRPC_EXTENSIONS: readonly string[] = ['model_configuration', 'model_repository', 'statistics'];

export interface GrpcApiOptions {
  service: InferenceService;
  lanes: Pick<LaneTable, 'ready'>;
  /** The model repository extension, the HTTP side's object: index, load, unload. */
  repository: Pick<ModelRepositoryControl, 'index' | 'load' | 'unload'>;
  telemetry: RequestTelemetry;
  log: Logger;
  version: string;
  /** False from the first moment of a shutdown: ServerReady and ModelReady answer false. */
  ready: () => boolean;
  /** False once the coordinator refuses new work: calls get UNAVAILABLE (IM_SHUTTING_DOWN). */
  accepting: () => boolean;
  /** Client API keys, as over HTTP: `authorization: Bearer <key>` in the call's metadata. */
  auth?: ClientAuth | undefined;
  /** Per-key rate limits, as over HTTP (every call but ServerLive and ServerReady takes a token). */
  rateLimits?: RateLimits | undefined;
  /** Longest a request may take; caps the call's deadline and the `timeout_ms` parameter. */
  requestTimeoutMs: number;
  /** Largest request message (the HTTP body limit); larger ones get RESOURCE_EXHAUSTED from gRPC itself. */
  maxMessageBytes: number;
  /** PEM certificate and key (the HTTP side's): serve over TLS. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
}

export interface GrpcApi {
  /** Binds and serves; resolves with the port (the one chosen when 0 was asked for). */
  listen(host: string, port: number): Promise<number>;
  /**
   * Stops taking calls and lets those in flight finish within `graceMs`, then cancels what is left.
   * Resolves `true` when every call finished in time.
   */
  close(graceMs: number): Promise<boolean>;
}

const GRPC_SERVICE = 'inference.GRPCInferenceService';

/** A failed call's status: code from contracts' `API_ERRORS`, the `IM_*` code in the message and in trailing metadata. */
export function grpcStatusOf(error: ApiError): grpc.ServerErrorResponse {
  const body = errorBody(error);
  const metadata = new grpc.Metadata();
  metadata.set(GRPC_CODE_KEY, body.code);
  if (error.retryAfterSeconds !== undefined) metadata.set('retry-after', String(error.retryAfterSeconds));
  return Object.assign(new Error(body.error), { code: GRPC_STATUS[error.spec.grpc], details: `${body.code}: ${body.error}`, metadata });
}

/** The RPCs a health probe calls: open without a key, as `/v2/health/*` are over HTTP (ClientAuth decides). */
const HTTP_TWIN = { ServerLive: '/v2/health/live', ServerReady: '/v2/health/ready' } as const;
const GUARDED_PATH = '/v2';

function modelOf(name: string | undefined, version: string | undefined): { name: string; version: string | undefined } {
  const n = ModelNameSchema.safeParse(name ?? '');
  if (!n.success) throw new ApiError('IM_BAD_REQUEST', `model name '${name ?? ''}': ${n.error.issues[0]?.message ?? 'invalid'}`);
  if (!version) return { name: n.data, version: undefined };
  const v = ModelVersionSchema.safeParse(version);
  if (!v.success) throw new ApiError('IM_BAD_REQUEST', `model version '${version}': ${v.error.issues[0]?.message ?? 'invalid'}`);
  return { name: n.data, version: v.data };
}

/** The optional model of a statistics call: none (every model), a model, or one version of it. */
function statsModelOf(name: string | undefined, version: string | undefined): { name: string | undefined; version: string | undefined } {
  if (name) return modelOf(name, version);
  if (version) throw new ApiError('IM_BAD_REQUEST', `model version '${version}' without a model name`);
  return { name: undefined, version: undefined };
}

/** infermesh has one repository, its workers': a call naming one is refused rather than served from another. */
function checkRepositoryName(repositoryName: string | undefined): void {
  if (repositoryName) {
    throw new ApiError('IM_BAD_REQUEST', `repository '${repositoryName}': infermesh has one model repository (its workers'); leave repository_name empty`);
  }
}

/** Milliseconds left of the call's deadline; undefined when the client set none. */
function callMsOf(call: grpc.ServerUnaryCall<unknown, unknown>): number | undefined {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? at - Date.now() : undefined;
}

/** The client's address without its port (`ipv4:127.0.0.1:50312` → `127.0.0.1`): a rate subject is a host, not a connection. */
const peerHost = (peer: string): string => peer.replace(/^ipv[46]:/, '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');

const first = (metadata: grpc.Metadata, key: string): string | undefined => {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The Open Inference Protocol's gRPC service (`inference.GRPCInferenceService`): a third thin edge over
 * the InferenceService the HTTP and WebSocket APIs use, on its own port. ModelInfer goes the tensor path:
 * raw or typed contents decoded once into typed arrays, the answer written from typed arrays.
 */
export function buildGrpcApi(options: GrpcApiOptions): GrpcApi {
  const { service, lanes, repository, telemetry, auth } = options;
  const rateLimits = options.rateLimits?.enabled ? options.rateLimits : undefined;
  const definition = protoLoader.loadSync(GRPC_PROTO_FILE, GRPC_LOADER_OPTIONS);
  const inferenceService = definition['inference.GRPCInferenceService'] as grpc.ServiceDefinition | undefined;
  if (!inferenceService) throw new Error(`${GRPC_PROTO_FILE} has no inference.GRPCInferenceService`);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxMessageBytes });

  /** One unary call: refused while shutting down or without a key, then answered or failed with a coded status. */
  function unary<Req, Res>(
    method: string, handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
  ): grpc.handleUnaryCall<Req, Res> {
    const path = HTTP_TWIN[method as keyof typeof HTTP_TWIN] ?? GUARDED_PATH;
    // ModelInfer's handler writes its own access-log line (with model and trace id) once it runs.
    const logsItself = method === 'ModelInfer';
    const route = `/${GRPC_SERVICE}/${method}`;
    return (call, callback) => {
      const startedAt = performance.now();
      let handled = false;
      const logLine = (api?: ApiError): void => {
        if (logsItself && handled) return;
        telemetry.accessLog?.record({
          protocol: 'grpc', method, route, status: api ? GRPC_STATUS[api.spec.grpc] : GRPC_STATUS.OK, code: api?.code ?? 'ok',
          duration_ms: Math.round((performance.now() - startedAt) * 1000) / 1000,
        }, api !== undefined && api.spec.http >= 500);
      };
      const run = async (): Promise<Res> => {
        if (!options.accepting()) throw new ApiError('IM_SHUTTING_DOWN', 'the coordinator is shutting down');
        const headers = { authorization: first(call.metadata, 'authorization') };
        if (auth?.guards(path) && !auth.allows(headers)) {
          throw new ApiError('IM_UNAUTHORIZED', 'a valid API key is required: authorization: Bearer <key> in the call metadata');
        }
        if (rateLimits && isGuardedApiPath(path)) rateLimits.take(rateSubject(auth, headers, peerHost(call.getPeer())));
        handled = true;
        return handle(call.request, call);
      };
      run().then(
        (response) => {
          logLine();
          callback(null, response);
        },
        (error: unknown) => {
          const api = toApiError(error);
          logLine(api);
          if (api.code === 'IM_INTERNAL') options.log.error({ err: error, method }, 'gRPC call failed');
          callback(grpcStatusOf(api));
        },
      );
    };
  }

  const modelInfer = async (
    message: GrpcInferRequest, call: grpc.ServerUnaryCall<GrpcInferRequest, GrpcInferResponse>,
  ): Promise<GrpcInferResponse> => {
    const trace = telemetry.start(`${GRPC_SERVICE}/ModelInfer`, { protocol: 'grpc', method: 'ModelInfer', route: `/${GRPC_SERVICE}/ModelInfer` }, first(call.metadata, 'traceparent'));
    // As the HTTP answer's headers: the trace to continue, and its id to look up at GET /v2/traces/{id}.
    const answerMetadata = new grpc.Metadata();
    answerMetadata.set('traceparent', trace.traceparent);
    answerMetadata.set('x-request-id', trace.traceId);
    call.sendMetadata(answerMetadata);
    let outcome = 'ok';
    // A call the client cancels (or whose deadline gRPC enforces) cancels the request.
    const abort = new AbortController();
    const onCancel = (): void => abort.abort();
    call.once('cancelled', onCancel);
    if (call.cancelled) abort.abort();
    try {
      const { name, version } = modelOf(message.model_name, message.model_version);
      const spec = service.resolve(name, version);
      // At capacity, refused before its tensors are decoded (as the HTTP edge refuses before reading a body).
      const refusal = service.refusalWhenFull();
      if (refusal !== undefined) {
        trace.resolved(spec.name, spec.version);
        throw refusal;
      }
      const decoded = inferRequestFromGrpc(message, spec.rawBytesInputs);
      const deadline = requestDeadline({ parameters: decoded.request.parameters, callMs: callMsOf(call) }, options.requestTimeoutMs);
      const answer = await service.inferTensors(name, version, decoded.request, { signal: abort.signal, trace, deadline, binary: decoded.inputs });
      return inferResponseToGrpc(answer, decoded);
    } catch (error) {
      outcome = toApiError(error).code;
      throw error;
    } finally {
      call.off('cancelled', onCancel);
      telemetry.finish(trace, outcome);
    }
  };

  type ModelRequest = { name?: string; version?: string };
  type RepositoryModelRequest = { repository_name?: string; model_name?: string };
  server.addService(inferenceService, {
    ServerLive: unary('ServerLive', () => ({ live: true })),
    ServerReady: unary('ServerReady', () => ({ ready: options.ready() && lanes.ready() })),
    ServerMetadata: unary('ServerMetadata', () => ({ name: 'infermesh', version: options.version, extensions: [...GRPC_EXTENSIONS] })),
    ModelReady: unary('ModelReady', (request: ModelRequest) => {
      const { name, version } = modelOf(request.name, request.version);
      try {
        return { ready: options.ready() && service.ready(name, version) };
      } catch (error) {
        // As Triton answers it: a model a worker's repository holds but none has loaded (unloaded, or
        // explicit model control) is not ready; one that no repository holds stays NOT_FOUND.
        if (error instanceof ApiError && error.code === 'IM_MODEL_NOT_FOUND' && repository.index().some((e) => e.name === name)) return { ready: false };
        throw error;
      }
    }),
    ModelMetadata: unary('ModelMetadata', (request: ModelRequest) => {
      const { name, version } = modelOf(request.name, request.version);
      const { versions, platform, inputs, outputs } = service.metadata(name, version);
      return { name, versions, platform, inputs, outputs };
    }),
    ModelInfer: unary('ModelInfer', modelInfer),
    // The model configuration, statistics and model repository extensions: the HTTP side's objects, whose JSON
    // shapes are Triton's messages field for field (proto-loader keeps the snake_case names, takes enum names
    // as strings and leaves out the JSON's always-empty lists, which the cut ModelConfig does not carry).
    ModelConfig: unary('ModelConfig', (request: ModelRequest) => {
      const { name, version } = modelOf(request.name, request.version);
      return { config: service.config(name, version) };
    }),
    ModelStatistics: unary('ModelStatistics', (request: ModelRequest) => {
      const { name, version } = statsModelOf(request.name, request.version);
      return service.statistics(name, version);
    }),
    RepositoryIndex: unary('RepositoryIndex', (request: { repository_name?: string; ready?: boolean }) => {
      checkRepositoryName(request.repository_name);
      return { models: repository.index({ ready: request.ready === true }) };
    }),
    RepositoryModelLoad: unary('RepositoryModelLoad', async (request: RepositoryModelRequest) => {
      checkRepositoryName(request.repository_name);
      await repository.load(modelOf(request.model_name, undefined).name);
      return {};
    }),
    RepositoryModelUnload: unary('RepositoryModelUnload', async (request: RepositoryModelRequest) => {
      checkRepositoryName(request.repository_name);
      await repository.unload(modelOf(request.model_name, undefined).name);
      return {};
    }),
  });

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        const credentials = options.tls
          ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: options.tls.cert, private_key: options.tls.key }], false)
          : grpc.ServerCredentials.createInsecure();
        const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
      }),
    close: (graceMs) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve(false);
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
  };
}
