/**
 * What an operator sees of a run: the spans a real coordinator and a real worker export to an OTLP
 * receiver (OTLP/HTTP protobuf, decoded with OpenTelemetry's own generated types), and the log lines
 * of every process, read back after a run with bad requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { Cluster } from '@infermesh/launcher';
import { visit } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { demoCluster, http } from './fixtures.js';
import { InferenceClient } from './grpc-client.js';
import { mlpInput } from './references.js';

// The OTLP protobuf types as @opentelemetry/otlp-transformer generated them (protobufjs static code).
const otlp = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(bytes: Uint8Array): unknown; toObject(m: unknown, o: object): OtlpRequest } } } } } };
};
const ExportTraceServiceRequest = otlp.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

type AnyValue = { stringValue?: string; intValue?: number; doubleValue?: number; boolValue?: boolean };
interface OtlpRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: AnyValue }> };
    scopeSpans?: Array<{ spans?: Array<{ name: string; kind: number; traceId: Uint8Array; spanId: Uint8Array; parentSpanId?: Uint8Array; attributes?: Array<{ key: string; value: AnyValue }> }> }>;
  }>;
}

interface ReceivedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, string | number | boolean | undefined>;
}

const hex = (bytes: Uint8Array | undefined): string => (bytes ? Buffer.from(bytes).toString('hex') : '');
const valueOf = (v: AnyValue) => v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue;
const SPAN_KIND = { SERVER: 2, CLIENT: 3 } as const;

const received: ReceivedSpan[] = [];
const contentTypes = new Set<string>();
let receiver: Server;
let cluster: Cluster;
let grpcClient: InferenceClient;
const lines: Array<{ process: string; raw: string }> = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      contentTypes.add(String(req.headers['content-type']));
      const message = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(Buffer.concat(chunks)), { longs: Number, defaults: false });
      for (const rs of message.resourceSpans ?? []) {
        const resource = Object.fromEntries((rs.resource?.attributes ?? []).map((a) => [a.key, valueOf(a.value)]));
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            received.push({
              service: String(resource['service.name']), name: s.name, kind: s.kind, traceId: hex(s.traceId), spanId: hex(s.spanId), parentSpanId: hex(s.parentSpanId),
              attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, valueOf(a.value)])),
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  cluster = await demoCluster({
    workers: 1,
    env: {
      // Root requests are never sampled (ratio 0); a caller's sampled traceparent is followed (parent-based).
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_SERVICE_NAME: 'im-e2e', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=e2e',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    onLine: (process, raw) => lines.push({ process, raw }),
  });
  grpcClient = new InferenceClient(cluster.grpcAddress);
}, 120_000);

afterAll(async () => {
  grpcClient?.close();
  await cluster?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

let seed = 5000;
const mlpRequest = () => ({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, ++seed) }] });
const randomHex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
const grpcInfer = (model: string) => ({ model_name: model, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } }] });
const spansOf = (traceId: string) => received.filter((s) => s.traceId === traceId);

describe('OpenTelemetry export to an OTLP receiver', () => {
  it('exports the coordinator\'s and the worker\'s spans of a sampled request, linked parent to child, with the expected attributes', async () => {
    const traceId = randomHex(16);
    const caller = randomHex(8);
    const res = await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(), headers: { traceparent: `00-${traceId}-${caller}-01` } });
    expect(res.status).toBe(200);
    await expect.poll(() => spansOf(traceId).map((s) => s.name).sort(), { timeout: 15_000 }).toEqual([
      'POST /v2/models/:name/infer', 'admission', 'batch-wait', 'cache', 'inference', 'postprocess', 'preprocess', 'transport', 'worker infer',
    ]);
    const spans = spansOf(traceId);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    const root = byName['POST /v2/models/:name/infer']!;
    expect(contentTypes).toEqual(new Set(['application/x-protobuf']));
    expect(root).toMatchObject({ service: 'im-e2e', kind: SPAN_KIND.SERVER, parentSpanId: caller });
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST', 'http.route': '/v2/models/:name/infer', 'url.path': '/v2/models/mlp/infer', 'http.response.status_code': 200,
      'infermesh.model': 'mlp', 'infermesh.version': '1', 'infermesh.cache': 'miss',
    });
    const transport = byName['transport']!;
    expect(transport).toMatchObject({ kind: SPAN_KIND.CLIENT, parentSpanId: root.spanId });
    expect(transport.attributes).toMatchObject({ 'infermesh.model': 'mlp', 'infermesh.stage': 'all', 'infermesh.batch_size': 1, 'infermesh.worker': 'worker-1' });
    expect(typeof transport.attributes['infermesh.queue_wait_ms']).toBe('number');
    expect(typeof transport.attributes['infermesh.lane']).toBe('string');
    // The worker's root span continues the coordinator's transport span, across the worker channel.
    const worker = byName['worker infer']!;
    expect(worker).toMatchObject({ kind: SPAN_KIND.SERVER, parentSpanId: transport.spanId, service: 'im-e2e' });
    expect(worker.attributes).toMatchObject({ 'infermesh.model': 'mlp', 'infermesh.batch_size': 1, 'infermesh.worker': 'worker-1' });
    for (const stage of ['preprocess', 'inference', 'postprocess']) expect(byName[stage]!.parentSpanId).toBe(worker.spanId);
    for (const name of ['admission', 'cache', 'batch-wait']) expect(byName[name]!.parentSpanId).toBe(root.spanId);
  });

  it('marks a gRPC call with the RPC semantic conventions, and a failed one with its error type', async () => {
    const traceId = randomHex(16);
    const failure = await grpcClient.failure('ModelInfer', grpcInfer('nope'), { metadata: { traceparent: `00-${traceId}-${randomHex(8)}-01` } });
    expect(failure.code).toBe(5);
    await expect.poll(() => spansOf(traceId).length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(spansOf(traceId).find((s) => s.name === 'inference.GRPCInferenceService/ModelInfer')?.attributes).toMatchObject({
      'rpc.system': 'grpc', 'rpc.service': 'inference.GRPCInferenceService', 'rpc.method': 'ModelInfer', 'rpc.grpc.status_code': 5, 'error.type': 'IM_MODEL_NOT_FOUND',
    });
  });

  it('exports nothing of a request that is not sampled: ratio 0 at the root, or the caller\'s flag 00, on the coordinator and the worker alike', async () => {
    const unsampled: string[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest() });
      expect(res.status).toBe(200);
      expect(res.headers.get('traceparent')).toMatch(/-00$/);
      unsampled.push(res.headers.get('x-request-id')!);
    }
    const declined = randomHex(16);
    expect((await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(), headers: { traceparent: `00-${declined}-${randomHex(8)}-00` } })).status).toBe(200);
    unsampled.push(declined);
    // A sampled request sent last: once its worker span has arrived, the earlier ones would have too.
    const marker = randomHex(16);
    await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest(), headers: { traceparent: `00-${marker}-${randomHex(8)}-01` } });
    await expect.poll(() => spansOf(marker).some((s) => s.name === 'worker infer'), { timeout: 15_000 }).toBe(true);
    expect(received.filter((s) => unsampled.includes(s.traceId))).toEqual([]);
  });
});

/** Keys of every JSON object in `text` that appear twice in the same object (JSON.parse would keep the last silently). */
function duplicateKeys(text: string): string[] {
  const stack: Array<Set<string>> = [];
  const duplicates: string[] = [];
  visit(text, {
    onObjectBegin: () => void stack.push(new Set()),
    onObjectEnd: () => void stack.pop(),
    onObjectProperty: (property) => {
      const keys = stack.at(-1)!;
      if (keys.has(property)) duplicates.push(property);
      keys.add(property);
    },
  });
  return duplicates;
}

describe('logs of a run with bad requests', () => {
  it('writes one access line per request on HTTP, gRPC and WebSocket, errors included, with method, route, model, status, code, duration and trace id', async () => {
    const before = lines.length;
    const ok = await http(cluster, '/v2/models/mlp/infer', { json: mlpRequest() });
    const invalid = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 63], data: mlpInput(1, 1).slice(0, 63) }] } });
    const unknown = await http(cluster, '/v2/models/nope/infer', { json: mlpRequest() });
    const notJson = await http(cluster, '/v2/models/mlp/infer', { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } });
    expect([ok.status, invalid.status, unknown.status, notJson.status]).toEqual([200, 400, 404, 400]);
    await grpcClient.failure('ModelInfer', grpcInfer('missing'));
    const ws = new WebSocket(cluster.wsUrl);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let frames = 0;
    const answered = new Promise<void>((resolve) => ws.on('message', () => ++frames === 2 && resolve()));
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'infer', id: 'x', model: 'ghost', request: mlpRequest() }));
    await answered;
    ws.close();

    const access = () => lines.slice(before).filter((l) => l.process === 'coordinator').map((l) => JSON.parse(l.raw) as Record<string, unknown>).filter((r) => r['component'] === 'access');
    const byTrace = (id: string | null) => access().filter((r) => r['trace_id'] === id);
    await expect.poll(() => access().some((r) => r['protocol'] === 'ws' && r['code'] === 'IM_MODEL_NOT_FOUND'), { timeout: 10_000 }).toBe(true);
    expect(byTrace(ok.headers.get('x-request-id'))).toEqual([expect.objectContaining({
      level: 30, msg: 'request', protocol: 'http', method: 'POST', route: '/v2/models/:name/infer', model: 'mlp', status: 200, code: 'ok', duration_ms: expect.any(Number),
    })]);
    expect(byTrace(invalid.headers.get('x-request-id'))).toEqual([expect.objectContaining({ level: 40, model: 'mlp', status: 400, code: 'IM_INVALID_INPUT' })]);
    expect(byTrace(unknown.headers.get('x-request-id'))).toEqual([expect.objectContaining({ level: 40, status: 404, code: 'IM_MODEL_NOT_FOUND' })]);
    expect(byTrace(unknown.headers.get('x-request-id'))[0]).not.toHaveProperty('model');
    // Refused before the handler ran: no trace, still a line.
    expect(access().filter((r) => r['code'] === 'IM_BAD_REQUEST' && r['route'] === '/v2/models/:name/infer' && r['trace_id'] === undefined)).toHaveLength(1);
    expect(access().filter((r) => r['protocol'] === 'grpc' && r['code'] === 'IM_MODEL_NOT_FOUND')).toEqual([
      expect.objectContaining({ method: 'ModelInfer', route: '/inference.GRPCInferenceService/ModelInfer', status: 5, trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) }),
    ]);
    expect(access().filter((r) => r['protocol'] === 'ws')).toEqual([
      expect.objectContaining({ method: 'frame', route: '/v2/ws', status: 400, code: 'IM_BAD_REQUEST' }),
      expect.objectContaining({ method: 'infer', route: '/v2/ws', status: 404, code: 'IM_MODEL_NOT_FOUND', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) }),
    ]);
  });

  it('writes no record with a duplicate key, on the coordinator or the worker', () => {
    expect(lines.filter((l) => l.process !== 'coordinator').length).toBeGreaterThan(0);
    const bad = lines.map((l) => ({ ...l, duplicates: duplicateKeys(l.raw) })).filter((l) => l.duplicates.length > 0);
    expect(bad).toEqual([]);
  });
});
