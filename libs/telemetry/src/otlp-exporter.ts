import { EventEmitter } from 'node:events';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod/v4';
import { ExportFailedError, ExportQueueFullError, type TelemetryError } from './errors.js';
import { toOtlpJson } from './otlp-json.js';
import { MAX_TIMER_MS, parseOptions } from '@infermesh/foundation';
import { AttributesSchema } from './span.js';
import type { Trace } from './trace.js';
import type { TraceSink } from './tracer.js';

type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  body?: { cancel(): Promise<void> } | null;
}>;


export const OtlpExporterOptionsSchema = z
  .strictObject({
    /** POST each batch here, e.g. `http://collector:4318/v1/traces`. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** Append each batch as one JSON line to this file. */
    file: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).default({}),
    serviceName: z.string().min(1).default('infermesh'),
    resourceAttributes: AttributesSchema.default({}),
    timeoutMs: z.int().min(1).max(MAX_TIMER_MS).default(5_000),
    maxBatchTraces: z.int().min(1).max(100_000).default(256),
    maxQueueTraces: z.int().min(1).max(1_000_000).default(2_048),
    flushIntervalMs: z.int().min(0).max(MAX_TIMER_MS).default(1_000),
    fetch: z.custom<FetchLike>((v) => typeof v === 'function', 'expected a function').optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.url === undefined) === (o.file === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'give exactly one of url or file' });
    }
  });
export type OtlpExporterOptions = z.input<typeof OtlpExporterOptionsSchema>;

export interface OtlpExporterStats {
  exportedTraces: number;
  /** Dropped because the queue was full, a batch failed, or the exporter was closed. */
  droppedTraces: number;
  failedBatches: number;
  queuedTraces: number;
}

/**
 * Sends ended traces as OTLP/JSON, in batches, off the request path: `export` only queues. A batch
 * that fails (non-2xx, timeout, network or file error) is dropped and counted, never retried, so a
 * dead collector costs memory bounded by `maxQueueTraces` and nothing else. Emits `'error'` with an
 * `ExportFailedError` or `ExportQueueFullError`, only when someone listens.
 */
export class OtlpExporter extends EventEmitter<{ error: [TelemetryError] }> implements TraceSink {
  readonly #o: z.output<typeof OtlpExporterOptionsSchema>;
  readonly #fetch: FetchLike;
  readonly #queue: Trace[] = [];
  readonly #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #exported = 0;
  #dropped = 0;
  #droppedFull = 0;
  #failedBatches = 0;
  #closed = false;
  #dirReady = false;

  constructor(options: OtlpExporterOptions) {
    super();
    this.#o = parseOptions(OtlpExporterOptionsSchema, options, 'OTLP exporter');
    this.#fetch = this.#o.fetch ?? (globalThis.fetch as unknown as FetchLike);
    if (this.#o.flushIntervalMs > 0) {
      this.#timer = setInterval(() => void this.flush(), this.#o.flushIntervalMs);
      this.#timer.unref();
    }
  }

  get stats(): OtlpExporterStats {
    return { exportedTraces: this.#exported, droppedTraces: this.#dropped, failedBatches: this.#failedBatches, queuedTraces: this.#queue.length };
  }

  /** Queues an ended trace. Never blocks and never throws. */
  export(trace: Trace): void {
    if (this.#closed || this.#queue.length >= this.#o.maxQueueTraces) {
      this.#dropped++;
      this.#droppedFull++;
      return;
    }
    this.#queue.push(trace);
    if (this.#queue.length >= this.#o.maxBatchTraces) void this.flush();
  }

  /** Sends everything queued now; resolves when done. Failures are counted and emitted, not thrown. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#drain());
    return this.#flushing;
  }

  /** Stops the timer and sends what is queued. Later `export` calls drop. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }

  #report(error: TelemetryError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  async #drain(): Promise<void> {
    if (this.#droppedFull > 0) {
      this.#report(new ExportQueueFullError(this.#droppedFull, this.#o.maxQueueTraces));
      this.#droppedFull = 0;
    }
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#o.maxBatchTraces);
      const body = JSON.stringify(toOtlpJson(batch.map((t) => t.toJSON()), {
        serviceName: this.#o.serviceName,
        attributes: this.#o.resourceAttributes,
      }));
      try {
        await this.#send(body);
        this.#exported += batch.length;
      } catch (error) {
        this.#failedBatches++;
        this.#dropped += batch.length;
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `timeout after ${this.#o.timeoutMs} ms` : error instanceof Error ? error.message : String(error);
        this.#report(new ExportFailedError(this.#o.url ?? this.#o.file ?? '?', batch.length, reason, { cause: error }));
      }
    }
  }

  async #send(body: string): Promise<void> {
    if (this.#o.file !== undefined) {
      if (!this.#dirReady) {
        await mkdir(dirname(this.#o.file), { recursive: true });
        this.#dirReady = true;
      }
      await appendFile(this.#o.file, `${body}\n`);
      return;
    }
    const response = await this.#fetch(this.#o.url ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.#o.headers },
      body,
      signal: AbortSignal.timeout(this.#o.timeoutMs),
    });
    // Release the connection: the collector's answer body is of no use to us.
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }
}
