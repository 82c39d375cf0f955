import { ModelSpecSchema, ModelStatsResponseSchema } from '@infermesh/contracts';
import { describe, expect, it } from 'vitest';
import { ModelStatistics } from './model-statistics.js';

const spec = ModelSpecSchema.parse({
  name: 'm', version: '2', inputs: [{ name: 'x', datatype: 'FP32', shape: [-1] }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1] }],
});

describe('ModelStatistics (Triton statistics extension counters)', () => {
  it('counts requests, rows, cache hits and misses, and failures, with durations in ns', () => {
    let now = 1_000;
    const stats = new ModelStatistics({ epochMs: () => now });
    stats.request(spec, { ok: true, durationMs: 2, rows: 3, cache: { hit: false, overheadMs: 0.25 } });
    now = 2_000;
    stats.request(spec, { ok: true, durationMs: 0.5, rows: 3, cache: { hit: true } });
    stats.request(spec, { ok: false, durationMs: 1, rows: 0 });
    const [s] = stats.stats([spec]);
    expect(ModelStatsResponseSchema.parse({ model_stats: [s] })).toBeTruthy();
    expect(s).toMatchObject({
      name: 'm', version: '2', last_inference: 2_000, inference_count: 3, execution_count: 0, batch_stats: [],
      inference_stats: {
        success: { count: 2, ns: 2_500_000 }, fail: { count: 1, ns: 1_000_000 },
        cache_hit: { count: 1, ns: 500_000 }, cache_miss: { count: 1, ns: 250_000 },
      },
    });
  });

  it('charges each request of a batch its queue time and the whole batch\'s stage times, and keeps batch_stats by size', () => {
    const stats = new ModelStatistics();
    stats.batch(spec, { executed: true, rows: 4, queuedMs: [1, 3], timings: { preprocessMs: 0.1, inferenceMs: 2, postprocessMs: 0.2 } });
    stats.batch(spec, { executed: true, rows: 1, queuedMs: [0.5], timings: { inferenceMs: 1 } });
    stats.batch(spec, { executed: true, rows: 4, queuedMs: [0], timings: { inferenceMs: 1 } });
    // A processor's batch (disaggregated pre-processing): compute_input counts, but no execution, queue or batch size.
    stats.batch(spec, { executed: false, rows: 2, queuedMs: [9, 9], timings: { preprocessMs: 1 } });
    const [s] = stats.stats([spec]);
    expect(s!.execution_count).toBe(3);
    expect(s!.inference_stats.queue).toEqual({ count: 4, ns: 4_500_000 });
    expect(s!.inference_stats.compute_infer).toEqual({ count: 4, ns: 4_000_000 + 1_000_000 + 1_000_000 });
    expect(s!.inference_stats.compute_input).toEqual({ count: 4, ns: 200_000 + 2_000_000 });
    expect(s!.batch_stats).toEqual([
      { batch_size: 1, compute_input: { count: 0, ns: 0 }, compute_infer: { count: 1, ns: 1_000_000 }, compute_output: { count: 0, ns: 0 } },
      { batch_size: 4, compute_input: { count: 1, ns: 100_000 }, compute_infer: { count: 2, ns: 3_000_000 }, compute_output: { count: 1, ns: 200_000 } },
    ]);
  });

  it('answers zeros for a version that has seen nothing', () => {
    expect(new ModelStatistics().stats([spec])[0]).toMatchObject({ last_inference: 0, inference_count: 0, inference_stats: { success: { count: 0, ns: 0 } } });
  });
});
