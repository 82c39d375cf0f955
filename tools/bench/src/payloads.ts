import type { InferBatchRequestInput } from '@infermesh/contracts';

/** The noop request: one row of FP32 [1, 4], the same as `npm start` prints. */
export const NOOP_DATA = [1, 2, 3, 4] as const;

export const noopHttpRequest = {
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, NOOP_DATA.length], data: [...NOOP_DATA] }],
};

/** The same request as the coordinator sends it to a worker: one item, typed arrays. */
export const noopWorkerRequest: InferBatchRequestInput = {
  model: 'noop',
  version: '1',
  items: [
    {
      id: 'bench',
      inputs: { input: { datatype: 'FP32', shape: [1, NOOP_DATA.length], data: Float32Array.from(NOOP_DATA) } },
      parameters: {},
      outputs: [],
    },
  ],
};

/** A deterministic MLP input row (64 values in [-1, 1)), different for each `seed`. */
export function mlpRow(seed: number): number[] {
  let s = (seed * 2_654_435_761 + 1) >>> 0;
  return Array.from({ length: 64 }, () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.round(((s / 2 ** 32) * 2 - 1) * 1e4) / 1e4;
  });
}

/** MLP request bodies; `distinct` different inputs, which a later cache cannot all answer. */
export function mlpHttpBodies(distinct: number): string[] {
  return Array.from({ length: distinct }, (_, i) =>
    JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpRow(i) }] }),
  );
}
