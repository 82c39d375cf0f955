import { describe, expect, it } from 'vitest';
import { InferBatchRequestSchema, roleOfStage } from './worker-protocol.js';

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
