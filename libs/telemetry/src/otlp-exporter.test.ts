import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExportFailedError, ExportQueueFullError, type TelemetryError } from './errors.js';
import type { OtlpExportTraceServiceRequest } from './otlp-json.js';
import { OtlpExporter } from './otlp-exporter.js';
import { Tracer } from './tracer.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });

async function collector(status = 200, delayMs = 0) {
  const received: OtlpExportTraceServiceRequest[] = [];
  const server = createServer(async (req, res) => {
    const text = await body(req);
    received.push(JSON.parse(text) as OtlpExportTraceServiceRequest);
    setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, received };
}

function traces(exporter: OtlpExporter, n: number) {
  const tracer = new Tracer({ sinks: [exporter] });
  for (let i = 0; i < n; i++) {
    const t = tracer.start(`req${i}`);
    t.span('inference').end();
    t.end();
  }
}

describe('OtlpExporter', () => {
  it('POSTs batches of OTLP/JSON to the collector', async () => {
    const { url, received } = await collector();
    const exporter = new OtlpExporter({ url, maxBatchTraces: 2, flushIntervalMs: 0 });
    traces(exporter, 5);
    await exporter.close();
    expect(received).toHaveLength(3);
    expect(received.flatMap((r) => r.resourceSpans[0]!.scopeSpans[0]!.spans).filter((s) => !s.parentSpanId)).toHaveLength(5);
    expect(exporter.stats).toEqual({ exportedTraces: 5, droppedTraces: 0, failedBatches: 0, queuedTraces: 0 });
  });

  it('drops and counts a batch the collector refuses or does not answer in time', async () => {
    const refusing = await collector(500);
    const slow = await collector(200, 500);
    const errorsA: TelemetryError[] = [];
    const errorsB: TelemetryError[] = [];
    const a = new OtlpExporter({ url: refusing.url, flushIntervalMs: 0 }).on('error', (e) => errorsA.push(e));
    const b = new OtlpExporter({ url: slow.url, flushIntervalMs: 0, timeoutMs: 50 }).on('error', (e) => errorsB.push(e));
    traces(a, 3);
    traces(b, 2);
    await Promise.all([a.flush(), b.flush()]);
    expect(a.stats).toMatchObject({ exportedTraces: 0, droppedTraces: 3, failedBatches: 1 });
    expect(b.stats).toMatchObject({ exportedTraces: 0, droppedTraces: 2, failedBatches: 1 });
    expect([...errorsA, ...errorsB].map((e) => [e.code, (e as ExportFailedError).droppedTraces])).toEqual([
      ['IM_TELEMETRY_EXPORT_FAILED', 3], ['IM_TELEMETRY_EXPORT_FAILED', 2],
    ]);
    expect(errorsA[0]!.message).toMatch(/HTTP 500/);
    expect(errorsB[0]!.message).toMatch(/timeout after 50 ms/);
  });

  it('never blocks export: a full queue drops and reports IM_TELEMETRY_EXPORT_QUEUE_FULL', async () => {
    const errors: TelemetryError[] = [];
    let release: () => void = () => undefined;
    const exporter = new OtlpExporter({
      url: 'http://127.0.0.1:9/v1/traces', flushIntervalMs: 0, maxQueueTraces: 3, maxBatchTraces: 100,
      fetch: () => new Promise((resolve) => { release = () => resolve({ ok: true, status: 200 }); }),
    }).on('error', (e) => errors.push(e));
    traces(exporter, 5);
    expect(exporter.stats).toMatchObject({ queuedTraces: 3, droppedTraces: 2 });
    const flushed = exporter.flush();
    await new Promise((r) => setTimeout(r, 10));
    release();
    await flushed;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ExportQueueFullError);
    expect(exporter.stats).toMatchObject({ exportedTraces: 3, droppedTraces: 2 });
  });

  it('appends one JSON line per batch to a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otlp-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'sub', 'traces.jsonl');
    const exporter = new OtlpExporter({ file, maxBatchTraces: 2, flushIntervalMs: 0 });
    traces(exporter, 3);
    await exporter.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect((JSON.parse(line) as OtlpExportTraceServiceRequest).resourceSpans).toHaveLength(1);
  });

  it('wants exactly one of url and file', () => {
    expect(() => new OtlpExporter({})).toThrow(TypeError);
    expect(() => new OtlpExporter({ url: 'http://x/v1/traces', file: '/tmp/x' })).toThrow(/exactly one of url or file/);
    expect(() => new OtlpExporter({ url: 'ftp://x' })).toThrow(TypeError);
    expect(() => new OtlpExporter({ url: 'http://x', timeoutMs: 0 })).toThrow(RangeError);
  });
});
