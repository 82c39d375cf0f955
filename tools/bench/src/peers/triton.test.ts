import { describe, expect, it } from 'vitest';
import { succeeds } from './peer-engine.js';
import { tritonModelConfig } from './triton.js';

describe('tritonModelConfig', () => {
  it("describes the MLP's tensors, 2 CPU instances and the manifest's batch policy", () => {
    const config = tritonModelConfig({ dims: [64, 1024, 1024, 16], maxBatchSize: 256, maxDelayMs: 2 });
    expect(config).toContain('max_batch_size: 256');
    expect(config).toContain('input [ { name: "input", data_type: TYPE_FP32, dims: [ 64 ] } ]');
    expect(config).toContain('output [ { name: "output", data_type: TYPE_FP32, dims: [ 16 ] } ]');
    expect(config).toContain('instance_group [ { count: 2, kind: KIND_CPU } ]');
    expect(config).toContain('dynamic_batching { max_queue_delay_microseconds: 2000 }');
  });
});

describe('succeeds', () => {
  it('tells a command that exits 0 from one that fails or is not installed', () => {
    expect(succeeds('sh', ['-c', 'exit 0'])).toBe(true);
    expect(succeeds('sh', ['-c', 'exit 3'])).toBe(false);
    expect(succeeds('im-no-such-command', [])).toBe(false);
  });
});
