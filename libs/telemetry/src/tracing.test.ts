import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@infermesh/foundation';
import { ExportFailedError, InvalidTelemetryConfigError } from './errors.js';
import { createTracing, exportTargetFromEnv, samplerFromEnv, type Tracing } from './tracing.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    resourceSpans: Array<{
      resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
      scopeSpans: Array<{ scope: { name: string }; spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string; attributes: Array<{ key: string; value: Record<string, unknown> }> }> }>;
    }>;
  };
}

/** A real OTLP/HTTP JSON receiver on a loopback port. */
async function receiver(status = 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { received, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const resourceOf = (r: Received) => Object.fromEntries(r.body.resourceSpans[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]));
const spansOf = (received: Received[]) => received.flatMap((r) => r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans)));

const open: Tracing[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.shutdown()));
});

describe('createTracing', () => {
  it('exports sampled spans over OTLP/HTTP JSON to the configured endpoint, with the env\'s service name, resource and headers', async () => {
    const rx = await receiver();
    const tracing = createTracing({
      serviceName: 'default-name',
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `${rx.url}/`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k%201',
        OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,service.name=ignored',
        OTEL_TRACES_SAMPLER: 'always_on',
      },
    });
    open.push(tracing);
    expect(tracing.exporting).toBe(`http/json ${rx.url}/v1/traces`);
    const trace = tracing.tracer.start('POST /x', { attributes: { 'http.request.method': 'POST' } });
    trace.span('inference').end();
    trace.end();
    await tracing.forceFlush();
    await rx.close();
    expect(rx.received[0]!.path).toBe('/v1/traces');
    expect(rx.received[0]!.headers['x-api-key']).toBe('k 1');
    expect(resourceOf(rx.received[0]!)).toMatchObject({ 'service.name': 'from-env', 'deployment.environment': 'test' });
    const spans = spansOf(rx.received);
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /x', 'inference']);
    const root = spans.find((s) => s.name === 'POST /x')!;
    expect(spans.find((s) => s.name === 'inference')!.parentSpanId).toBe(root.spanId);
    expect(root.attributes).toContainEqual({ key: 'http.request.method', value: { stringValue: 'POST' } });
    // The store is a processor of the same provider: it holds the same spans.
    expect(tracing.store!.get(trace.traceId)!.traces[0]!.spans.map((s) => s.spanId)).toEqual([root.spanId, spans.find((s) => s.name === 'inference')!.spanId]);
  });

  it('without an endpoint exports nothing, and still fills the store', () => {
    const tracing = createTracing({ serviceName: 's', env: { OTEL_TRACES_SAMPLER: 'always_on' } });
    open.push(tracing);
    expect(tracing.exporting).toBeUndefined();
    const trace = tracing.tracer.start('r');
    trace.end();
    expect(tracing.store!.get(trace.traceId)!.traces).toHaveLength(1);
  });

  it('with sampler ratio 0 sends nothing and stores nothing; OTEL_SDK_DISABLED likewise', async () => {
    const rx = await receiver();
    for (const env of [
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
      { OTEL_SDK_DISABLED: 'true' },
    ]) {
      const tracing = createTracing({ serviceName: 's', env: { ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${rx.url}/v1/traces`, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' } });
      open.push(tracing);
      for (let i = 0; i < 20; i++) tracing.tracer.start('r').end();
      await tracing.forceFlush();
      expect(tracing.store!.size).toBe(0);
    }
    await rx.close();
    expect(rx.received).toEqual([]);
  });

  it('reports a batch the collector refused as IM_TELEMETRY_EXPORT_FAILED', async () => {
    const rx = await receiver(400);
    const errors: ExportFailedError[] = [];
    const tracing = createTracing({
      serviceName: 's', store: false, onExportError: (e) => errors.push(e),
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${rx.url}/v1/traces`, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'always_on' },
    });
    open.push(tracing);
    tracing.tracer.start('r').end();
    await tracing.forceFlush();
    await rx.close();
    expect(rx.received).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ExportFailedError);
    expect(errors[0]!.code).toBe('IM_TELEMETRY_EXPORT_FAILED');
  });
});

describe('exporters loaded on demand', () => {
  /** Exports one sampled span over `protocol` to `url` and returns the failures reported. */
  async function exportOne(protocol: 'grpc' | 'http/protobuf', url: string): Promise<ExportFailedError[]> {
    const errors: ExportFailedError[] = [];
    const tracing = createTracing({
      serviceName: 's', store: false, onExportError: (e) => errors.push(e),
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol, OTEL_TRACES_SAMPLER: 'always_on' },
    });
    open.push(tracing);
    expect(tracing.exporting).toBe(`${protocol} ${url}`);
    tracing.tracer.start('r').end();
    await tracing.forceFlush();
    return errors;
  }

  it('loads the gRPC exporter when it is configured, and reports the batch a closed port refused', async () => {
    // A port that was just free: nothing listens there.
    const errors = await exportOne('grpc', `http://127.0.0.1:${await freePort()}`);
    expect(errors.map((e) => e.code)).toEqual(['IM_TELEMETRY_EXPORT_FAILED']);
    expect(errors[0]!.message).toContain('1 span(s) dropped');
  });

  it('loads the protobuf exporter when it is configured: the collector gets protobuf, and its refusal is reported', async () => {
    const contentTypes: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      contentTypes.push(req.headers['content-type']);
      req.resume().on('end', () => res.writeHead(400).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const errors = await exportOne('http/protobuf', `http://127.0.0.1:${port}/v1/traces`);
      expect(contentTypes).toEqual(['application/x-protobuf']);
      expect(errors.map((e) => e.code)).toEqual(['IM_TELEMETRY_EXPORT_FAILED']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the default sampler', () => {
  it('samples about 1 % of new traces, and every trace whose caller sampled it', () => {
    const tracing = createTracing({ serviceName: 's', env: {} });
    open.push(tracing);
    let sampled = 0;
    for (let i = 0; i < 2000; i++) if (tracing.tracer.start('r').recording) sampled++;
    // Binomial(2000, 0.01): mean 20, P(outside 3..60) is far below 1e-6.
    expect(sampled).toBeGreaterThanOrEqual(3);
    expect(sampled).toBeLessThanOrEqual(60);
    expect(tracing.tracer.start('r', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }).recording).toBe(true);
    expect(tracing.tracer.start('r', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' }).recording).toBe(false);
  });
});

describe('OTEL_* parsing', () => {
  it.each([
    [{}, 'ParentBased{root=TraceIdRatioBased{0.01}'],
    [{ OTEL_TRACES_SAMPLER_ARG: '0.25' }, 'ParentBased{root=TraceIdRatioBased{0.25}'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, 'ParentBased{root=AlwaysOnSampler'],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 'AlwaysOffSampler'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' }, 'TraceIdRatioBased{0.01}'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }, 'ParentBased{root=TraceIdRatioBased{0.5}'],
  ])('sampler from %j', (env, description) => {
    expect(samplerFromEnv(env).toString()).toContain(description);
  });

  it('refuses an unknown sampler, a ratio out of 0..1, an unknown protocol and a non-http endpoint with IM_TELEMETRY_INVALID_CONFIG', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(InvalidTelemetryConfigError);
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => exportTargetFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => exportTargetFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'c:4318' })).toThrow(InvalidTelemetryConfigError);
  });

  it('prefers the traces-specific endpoint and protocol, used as given; grpc keeps the generic endpoint as is', () => {
    expect(exportTargetFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }))
      .toEqual({ protocol: 'http/json', url: 'http://b:4318/custom', headers: {} });
    expect(exportTargetFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318' })).toMatchObject({ protocol: 'http/protobuf', url: 'http://a:4318/v1/traces' });
    expect(exportTargetFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ protocol: 'grpc', url: 'http://a:4317' });
    expect(exportTargetFromEnv({})).toBeUndefined();
  });
});
