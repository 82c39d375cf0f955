import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { z } from 'zod/v4';
import { fn, parseOptions } from '@infermesh/foundation';
import { InvalidTelemetryConfigError, type ExportFailedError } from './errors.js';
import { createSpanExporter, OTLP_PROTOCOLS, type ExportTarget, type OtlpProtocol } from './span-exporter.js';
import { TraceStore } from './trace-store.js';
import { INSTRUMENTATION_SCOPE, Tracer } from './tracer.js';

export const TracingOptionsSchema = z.strictObject({
  /** `service.name` when neither `OTEL_SERVICE_NAME` nor `OTEL_RESOURCE_ATTRIBUTES` names one. */
  serviceName: z.string().min(1),
  /** Keep sampled traces in memory for lookup by id (`GET /v2/traces/{id}`); `false`: no store. */
  store: z.union([z.strictObject({ maxTraces: z.int().min(1).max(1_000_000).default(1000) }), z.literal(false)]).default({ maxTraces: 1000 }),
  /**
   * Where the standard variables are read. Endpoint, protocol, headers, sampler, resource and
   * `OTEL_SDK_DISABLED` come from here; the exporters' timeout, compression and certificates from `process.env`.
   */
  env: z.record(z.string(), z.string().optional()).optional(),
  /** Told of each batch of spans the collector did not take (dropped, not retried). */
  onExportError: fn<(error: ExportFailedError) => void>().optional(),
});
export type TracingOptions = z.input<typeof TracingOptionsSchema>;

/** What `createTracing` built. */
export interface Tracing {
  /** Starts request traces; give it to the request path. */
  tracer: Tracer;
  /** The in-memory store of sampled traces, when asked for. */
  store: TraceStore | undefined;
  /** The OpenTelemetry provider (to `register()` it globally, or add processors). */
  provider: NodeTracerProvider;
  /** The export target, e.g. `http/protobuf http://collector:4318/v1/traces`; `undefined` when not exporting. */
  exporting: string | undefined;
  /** The sampler in use, as the SDK describes it (e.g. `ParentBased{root=TraceIdRatioBased{0.01}, …}`). */
  sampler: string;
  /** Sends the spans still queued. Never rejects: failures go to `onExportError`. */
  forceFlush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

function read(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The share of new traces sampled when `OTEL_TRACES_SAMPLER` is not set. Not OpenTelemetry's own default
 * (every trace): sampling every request doubles a coordinator's CPU per answer (the bench's `tracing`
 * scenario: 2.07× at 100 %, 1.20× at 1 %). A caller's sampled `traceparent` is still followed, so a client
 * that asks for a trace gets it whole.
 */
export const DEFAULT_SAMPLE_RATIO = 0.01;

/**
 * `OTEL_TRACES_SAMPLER` (+ `_ARG`), per the SDK specification. Unset: `parentbased_traceidratio` at
 * `OTEL_TRACES_SAMPLER_ARG`, else `DEFAULT_SAMPLE_RATIO`.
 */
export function samplerFromEnv(env: Record<string, string | undefined>): Sampler {
  if (read(env, 'OTEL_TRACES_SAMPLER') === undefined) {
    return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(read(env, 'OTEL_TRACES_SAMPLER_ARG') === undefined ? DEFAULT_SAMPLE_RATIO : ratioFromEnv(env)) });
  }
  const name = read(env, 'OTEL_TRACES_SAMPLER')!;
  if (!(SAMPLERS as readonly string[]).includes(name)) throw new InvalidTelemetryConfigError('OTEL_TRACES_SAMPLER', name, SAMPLERS.join('|'));
  const ratio = (): number => ratioFromEnv(env);
  switch (name as (typeof SAMPLERS)[number]) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
  }
}

/** `OTEL_TRACES_SAMPLER_ARG`: a ratio from 0 to 1; 1 when unset (the specification's default for a named ratio sampler). */
function ratioFromEnv(env: Record<string, string | undefined>): number {
  const arg = read(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (arg === undefined) return 1;
  const r = Number(arg);
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new InvalidTelemetryConfigError('OTEL_TRACES_SAMPLER_ARG', arg, 'a number from 0 to 1');
  return r;
}

/** The first of `names` that is set, with its value. */
function first(env: Record<string, string | undefined>, ...names: string[]): [string, string] | undefined {
  for (const name of names) {
    const value = read(env, name);
    if (value !== undefined) return [name, value];
  }
  return undefined;
}

/**
 * The trace export target from `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`, `_PROTOCOL` and `_HEADERS`;
 * `undefined` without an endpoint. Per the specification, the signal-specific endpoint is used as
 * given, and the generic one gets `/v1/traces` appended for the HTTP protocols.
 */
export function exportTargetFromEnv(env: Record<string, string | undefined>): ExportTarget | undefined {
  const endpoint = first(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (endpoint === undefined) return undefined;
  const [endpointVariable, base] = endpoint;
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) throw new InvalidTelemetryConfigError(endpointVariable, base, 'an http(s) URL');
  const [protocolVariable, protocol] = first(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf'];
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) throw new InvalidTelemetryConfigError(protocolVariable, protocol, OTLP_PROTOCOLS.join('|'));
  const generic = endpointVariable === 'OTEL_EXPORTER_OTLP_ENDPOINT' && protocol !== 'grpc';
  const url = generic ? `${base.replace(/\/+$/, '')}/v1/traces` : base;
  const headers: Record<string, string> = {};
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    const value = read(env, name);
    if (value !== undefined) Object.assign(headers, parseKeyPairsIntoRecord(value));
  }
  return { protocol: protocol as OtlpProtocol, url, headers };
}

/** The resource: the SDK's defaults, then `serviceName`, then `OTEL_RESOURCE_ATTRIBUTES`, then `OTEL_SERVICE_NAME`. */
function resourceFromEnv(env: Record<string, string | undefined>, serviceName: string) {
  const fromEnv: Record<string, string> = {};
  const attributes = read(env, 'OTEL_RESOURCE_ATTRIBUTES');
  if (attributes !== undefined) Object.assign(fromEnv, parseKeyPairsIntoRecord(attributes));
  const name = read(env, 'OTEL_SERVICE_NAME');
  if (name !== undefined) fromEnv['service.name'] = name;
  return defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName })).merge(resourceFromAttributes(fromEnv));
}

/**
 * Tracing on the OpenTelemetry Node SDK, configured from the standard `OTEL_*` variables:
 * - `OTEL_SDK_DISABLED=true`: nothing is sampled, stored or exported (ids are still made for request ids);
 * - `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` set: sampled spans are batched to it over
 *   `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` (`http/protobuf` by default, `http/json`, `grpc`); unset: no export;
 * - `OTEL_TRACES_SAMPLER`/`_ARG`: the sampler (default `parentbased_always_on`);
 * - `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`: the resource.
 * The trace store, when asked for, is a span processor of the same provider: it holds what is sampled.
 */
export function createTracing(options: TracingOptions): Tracing {
  const o = parseOptions(TracingOptionsSchema, options, 'tracing');
  const env = o.env ?? process.env;
  const disabled = read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
  const sampler = disabled ? new AlwaysOffSampler() : samplerFromEnv(env);
  const target = disabled ? undefined : exportTargetFromEnv(env);
  const store = o.store === false ? undefined : new TraceStore({ maxTraces: o.store.maxTraces });
  const spanProcessors: SpanProcessor[] = [];
  if (store) spanProcessors.push(store);
  if (target) {
    const onError = o.onExportError ?? (() => {});
    spanProcessors.push(new BatchSpanProcessor(createSpanExporter(target, onError)));
  }
  const provider = new NodeTracerProvider({ resource: resourceFromEnv(env, o.serviceName), sampler, spanProcessors });
  const tracer = new Tracer({ tracer: provider.getTracer(INSTRUMENTATION_SCOPE), ...(store ? { store } : {}) });
  return {
    tracer, store, provider,
    exporting: target ? `${target.protocol} ${target.url}` : undefined,
    sampler: sampler.toString(),
    // A failed export was reported to `onExportError` already; flushing itself does not fail.
    forceFlush: () => provider.forceFlush().catch(() => undefined),
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}
