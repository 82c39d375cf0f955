import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModelRepository } from '@infermesh/models';
import { JsRuntime, OnnxRuntime } from '@infermesh/runtime';
import { createWorkerMetrics, Tracer } from '@infermesh/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchTelemetry, ModelHost, WorkerService } from './index.js';

let repository: string;
beforeAll(async () => {
  repository = mkdtempSync(join(tmpdir(), 'im-worker-service-'));
  await writeModelRepository({ out: repository, models: ['mlp', 'noop'] });
});
afterAll(() => rmSync(repository, { recursive: true, force: true }));

const runtimes = { onnx: new OnnxRuntime(), js: new JsRuntime() };
const context = { signal: new AbortController().signal } as never;
const noopBatch = { model: 'noop', version: '1', stage: 'all' as const, items: [{ id: 'a', inputs: { input: { datatype: 'FP32' as const, shape: [1, 4], data: Float32Array.from([1, 2, 3, 4]) } }, parameters: {}, outputs: [] }] };

describe('WorkerService explicit model control', () => {
  it('reports its repository, loads a model from it on request and drops it again, describing itself anew each time', async () => {
    const host = await ModelHost.load([], runtimes);
    const events: string[] = [];
    const service = await WorkerService.create(host, new BatchTelemetry(new Tracer(), createWorkerMetrics()), {
      id: 'w', role: 'model', maxConcurrency: 2, shards: [], repository: { folder: repository, models: [] },
      onModelControl: (e) => events.push(`${e.action} ${e.model} ${e.versions.join(',')}`),
      memoryBytes: 64 << 20,
      onChanged: (info) => events.push(`changed ${info.models.map((m) => m.name).join(',')}`),
    });
    const h = service.handlers;
    const described = service.info;
    expect(described).toMatchObject({ models: [], repository: ['mlp', 'noop'], memoryBytes: 64 << 20 });
    // What placing each needs: no replicas asked by the demo manifests; the model files' sizes.
    expect(described.placeable.map((p) => p.name)).toEqual(['mlp', 'noop']);
    expect(described.placeable.every((p) => p.replicas === undefined && p.memoryBytes > 0)).toBe(true);
    const loaded = await h.load!({ model: 'noop' }, context);
    expect(loaded.models.map((m) => m.name)).toEqual(['noop']);
    const answer = await h.infer!(noopBatch as never, context);
    expect(answer.items[0]).toMatchObject({ ok: true });
    expect(answer.timings?.inferenceMs).toBeGreaterThanOrEqual(0);
    expect((await h.unload!({ model: 'noop' }, context)).models).toEqual([]);
    expect((await h.infer!(noopBatch as never, context)).items[0]).toMatchObject({ ok: false, error: { code: 'IM_WORKER_MODEL_NOT_LOADED' } });
    await expect(h.load!({ model: 'sentiment' }, context)).rejects.toMatchObject({ code: 'IM_WORKER_MODEL_NOT_LOADED' });
    expect(events).toEqual(['load noop 1', 'changed noop', 'unload noop 1', 'changed ']);
    await host.close();
  });

  it('refuses every load without a repository, and reports none', async () => {
    const host = await ModelHost.load([], runtimes);
    const service = await WorkerService.create(host, new BatchTelemetry(new Tracer(), createWorkerMetrics()), { id: 'w', role: 'model', maxConcurrency: 2, shards: [] });
    expect(service.info.repository).toEqual([]);
    await expect(service.handlers.load!({ model: 'noop' }, context)).rejects.toMatchObject({ code: 'IM_WORKER_MODEL_NOT_LOADED' });
    await host.close();
  });
});
