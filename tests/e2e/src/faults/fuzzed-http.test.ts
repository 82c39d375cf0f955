import { API_ERRORS } from '@infermesh/contracts';
import type { Cluster } from '@infermesh/launcher';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCluster, http } from '../fixtures.js';
import { mlpInput } from '../references.js';
import { recordFigures } from './figures.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await demoCluster({ workers: 1, coordinatorArgs: ['--body-limit', String(256 * 1024)] });
});
afterAll(async () => {
  await cluster?.stop();
});

/** Mostly unchanged: each part of a valid request is replaced one time in eight. */
const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const valid = () => ({ name: 'input', datatype: 'FP32', shape: [1, 64], data: mlpInput(1, 9) as unknown[] });

/** A valid request with some of its parts replaced: the inputs a buggy client really sends. */
const mutated = fc
  .record({
    name: sometimes(fc.constantFrom('input', 'x', '', '__proto__', 'constructor')),
    datatype: sometimes(fc.constantFrom('FP32', 'FP16', 'INT32', 'INT64', 'BYTES', 'BOOL', 'fp32', 'X')),
    shape: sometimes(fc.array(fc.oneof(fc.integer({ min: -2, max: 300 }), fc.constant(1e12), fc.string()), { maxLength: 4 })),
    data: sometimes(fc.oneof(
      fc.array(fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.string(), fc.constant(null)), { maxLength: 200 }),
      fc.integer({ min: 0, max: 200 }).map((rows) => new Array(rows * 64).fill(0.25)),
      fc.string(),
    )),
    parameters: sometimes(fc.dictionary(fc.constantFrom('timeout_ms', 'routing_key', 'x'), fc.oneof(fc.integer({ min: -5, max: 60_000 }), fc.string(), fc.boolean(), fc.double()))),
    outputs: sometimes(fc.array(fc.record({ name: fc.constantFrom('output', 'nope', '') }), { maxLength: 2 })),
    extraInputs: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) }),
  })
  .map((m) => {
    const input: Record<string, unknown> = valid();
    if (m.name !== null) input.name = m.name;
    if (m.datatype !== null) input.datatype = m.datatype;
    if (m.shape !== null) input.shape = m.shape;
    if (m.data !== null) input.data = m.data;
    return JSON.stringify({
      inputs: [input, ...Array.from({ length: m.extraInputs }, valid)],
      ...(m.parameters !== null ? { parameters: m.parameters } : {}),
      ...(m.outputs !== null ? { outputs: m.outputs } : {}),
    });
  });

const body = fc.oneof(
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_048 }).map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 3, arbitrary: mutated },
);

it('any body to /v2/models/mlp/infer gets 200 with a well-formed answer or a documented 4xx, never a 5xx or a hang', async () => {
  const tally: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(body, sometimes(fc.constantFrom('50', '0', 'abc', '-1', '100000')), async (text, timeoutHeader) => {
      const res = await http(cluster, '/v2/models/mlp/infer', {
        method: 'POST',
        body: text,
        headers: { 'content-type': 'application/json', ...(timeoutHeader !== null ? { 'x-request-timeout-ms': timeoutHeader } : {}) },
        signal: AbortSignal.timeout(10_000),
      });
      const key = res.status === 200 ? '200' : `${res.status} ${res.body?.code}`;
      tally[key] = (tally[key] ?? 0) + 1;
      if (res.status === 200) {
        expect(res.body.model_name).toBe('mlp');
        const out = res.body.outputs[0];
        expect(out.shape[1]).toBe(16);
        expect(out.data).toHaveLength(out.shape[0] * 16);
      } else {
        expect(res.status).toBeGreaterThanOrEqual(400);
        // 504 only for a deadline the client itself set very short.
        const allowed = res.status < 500 || (res.body?.code === 'IM_TIMEOUT' && timeoutHeader === '50');
        expect(allowed, `${res.status} ${JSON.stringify(res.body)} for ${text.slice(0, 200)}`).toBe(true);
        expect(API_ERRORS[res.body?.code as keyof typeof API_ERRORS]?.http).toBe(res.status);
      }
    }),
    { numRuns: 100, seed: 20261201 },
  );
  recordFigures('fuzzed-http', { runs: 100, answers: tally });
  // The generator reaches both sides: some requests are served, some refused.
  expect(tally['200'] ?? 0).toBeGreaterThan(5);
  expect(100 - (tally['200'] ?? 0)).toBeGreaterThan(5);
  const still = await http(cluster, '/v2/models/mlp/infer', { json: { inputs: [valid()] } });
  expect(still.status).toBe(200);
  expect(cluster.coordinator.child.exitCode).toBeNull();
});
