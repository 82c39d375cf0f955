import { describe, expect, it } from 'vitest';
import { InferBatchRequestSchema, InferBatchResponseSchema, ModelControlRequestSchema, roleOfStage, WorkerInfoSchema, workerProtocol } from './worker-protocol.js';

describe('stages of a request', () => {
  it('sends pre- and post-processing to processors, whole requests and the model stage to model workers', () => {
    expect((['preprocess', 'postprocess', 'model', 'all', undefined] as const).map((s) => roleOfStage(s))).toEqual(['processor', 'processor', 'model', 'model', 'model']);
  });

  it('runs every stage of a batch that names none, and refuses an unknown stage', () => {
    const batch = { model: 'm', version: '1', items: [{ id: 'a', inputs: {} }] };
    expect(InferBatchRequestSchema.parse(batch).stage).toBe('all');
    expect(InferBatchRequestSchema.safeParse({ ...batch, stage: 'tokenize' }).success).toBe(false);
  });
});

describe('explicit model control on the worker channel', () => {
  it('has load and unload, each naming one model and answered with the worker as it is now', () => {
    expect(Object.keys(workerProtocol)).toEqual(['describe', 'infer', 'load', 'unload', 'drain', 'changed']);
    expect(workerProtocol.load.response).toBe(WorkerInfoSchema);
    expect(ModelControlRequestSchema.safeParse({ model: 'sentiment' }).success).toBe(true);
    expect(ModelControlRequestSchema.safeParse({ model: '../etc' }).success).toBe(false);
    const info = WorkerInfoSchema.parse({ workerId: 'w', pid: 1, maxConcurrency: 1, models: [] });
    expect(info.repository).toEqual([]);
  });

  it('describes what placing a repository model needs, and reads an older worker without it', () => {
    const base = { workerId: 'w', pid: 1, maxConcurrency: 1, models: [] };
    const old = WorkerInfoSchema.parse(base);
    expect(old.memoryBytes).toBeUndefined();
    expect(old.placeable).toEqual([]);
    const info = WorkerInfoSchema.parse({ ...base, memoryBytes: 1 << 30, placeable: [{ name: 'noop', replicas: 2, memoryBytes: 100 }, { name: 'mlp', memoryBytes: 0 }] });
    expect(info.placeable).toEqual([{ name: 'noop', replicas: 2, memoryBytes: 100 }, { name: 'mlp', memoryBytes: 0 }]);
    expect(WorkerInfoSchema.safeParse({ ...base, placeable: [{ name: 'noop', replicas: 0, memoryBytes: 1 }] }).success).toBe(false);
    expect(WorkerInfoSchema.safeParse({ ...base, placeable: [{ name: 'noop', memoryBytes: -1 }] }).success).toBe(false);
    expect(WorkerInfoSchema.safeParse({ ...base, memoryBytes: 0 }).success).toBe(false);
    expect(workerProtocol.changed.request).toBe(WorkerInfoSchema);
  });

  it('carries the stage times of a batch, each optional', () => {
    const parsed = InferBatchResponseSchema.parse({ items: [], computeMs: 1, timings: { inferenceMs: 0.5 } });
    expect(parsed.timings).toEqual({ inferenceMs: 0.5 });
    expect(InferBatchResponseSchema.safeParse({ items: [], computeMs: 1, timings: { inferenceMs: -1 } }).success).toBe(false);
  });
});
