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

/** The MLP's input as a client puts it on the wire: 64 FP32 values, little-endian (4 bytes each). */
export function mlpRowBytes(seed: number): Buffer {
  const row = mlpRow(seed);
  const bytes = Buffer.alloc(row.length * 4);
  row.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes;
}

/** One request of the binary tensor data extension: the whole body, and the JSON header's length in bytes. */
export interface BinaryHttpBody {
  body: Buffer;
  headerLength: number;
}

/**
 * MLP request bodies of the binary tensor data extension, built byte by byte as a client does (not with
 * the coordinator's own codec): the JSON header (`binary_data_size` of the input, `binary_data_output`
 * so the answer is binary too), then the input's raw FP32 bytes. The same `distinct` inputs as
 * `mlpHttpBodies`, in the same order.
 */
export function mlpBinaryBodies(distinct: number): BinaryHttpBody[] {
  return Array.from({ length: distinct }, (_, i) => {
    const raw = mlpRowBytes(i);
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 64], parameters: { binary_data_size: raw.length } }],
      parameters: { binary_data_output: true },
    }));
    return { body: Buffer.concat([header, raw]), headerLength: header.length };
  });
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1), so every run sends the same texts. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `count` texts of exactly `words` words for the sentiment model, drawn from the one-word terms of
 * `vocabulary` by a seeded PRNG. Each starts with its own number (a word outside the vocabulary, so
 * it changes no answer) and so is distinct: neither a cache nor the coalescing of identical requests
 * in a batch can answer one text for another. Tokenizing costs time linear in `words`.
 */
export function sentimentTexts(vocabulary: readonly string[], words: number, count: number, seed = 7): string[] {
  if (!Number.isInteger(words) || words < 1) throw new RangeError(`words must be an integer >= 1, got ${words}`);
  const terms = vocabulary.filter((t) => /^[a-z]+$/.test(t));
  if (terms.length === 0) throw new TypeError('the vocabulary has no one-word lower-case term');
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const parts = [`n${i}`];
    for (let w = 1; w < words; w++) parts.push(terms[Math.floor(random() * terms.length)] as string);
    return parts.join(' ');
  });
}

/** The protocol's request for one text, as a JSON body. */
export function sentimentHttpBody(text: string): string {
  return JSON.stringify({ inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: [text] }] });
}
