/**
 * Cost per answer of the coordinator's output contract check (`outputContractViolation`), against the
 * baseline every answer already pays in the same process: decoding its outputs with `TensorMapSchema`
 * (the zod check at the worker channel's edge). Two answers: the demo mlp's (one FP32 [8, 16]) and a
 * sentiment-like one (FP32 [2, 2] and BYTES [2]). Prints ns per answer and the ratio, then one JSON line.
 */
import { outputContractViolation, TensorMapSchema, type TensorMap, type TensorSpec } from '../src/index.js';

const ROUNDS = 7;
const N = 200_000;

const cases: Array<{ name: string; declared: TensorSpec[]; outputs: TensorMap; rows: number }> = [
  {
    name: 'mlp [8, 16]',
    declared: [{ name: 'output', datatype: 'FP32', shape: [-1, 16] }],
    outputs: { output: { datatype: 'FP32', shape: [8, 16], data: new Float32Array(128) } },
    rows: 8,
  },
  {
    name: 'sentiment (2 outputs)',
    declared: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }, { name: 'label', datatype: 'BYTES', shape: [-1] }],
    outputs: {
      probabilities: { datatype: 'FP32', shape: [2, 2], data: new Float32Array(4) },
      label: { datatype: 'BYTES', shape: [2], data: ['positive', 'negative'] },
    },
    rows: 2,
  },
];

function nsPer(fn: () => unknown): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / N);
  }
  return best;
}

const figures: Record<string, { checkNs: number; decodeNs: number; ratio: number }> = {};
for (const c of cases) {
  const contract = { declared: c.declared, requested: [] as string[], rows: c.rows };
  if (outputContractViolation(c.outputs, contract) !== undefined) throw new Error(`${c.name}: the bench answer breaks its own contract`);
  const checkNs = nsPer(() => outputContractViolation(c.outputs, contract));
  const decodeNs = nsPer(() => TensorMapSchema.parse(c.outputs));
  figures[c.name] = { checkNs: Math.round(checkNs), decodeNs: Math.round(decodeNs), ratio: Number((checkNs / decodeNs).toFixed(3)) };
  process.stdout.write(`${c.name.padEnd(24)} check ${checkNs.toFixed(0).padStart(6)} ns   zod decode (baseline) ${decodeNs.toFixed(0).padStart(6)} ns   ratio ${(checkNs / decodeNs).toFixed(3)}\n`);
}
process.stdout.write(`${JSON.stringify({ bench: 'output-check', figures })}\n`);
