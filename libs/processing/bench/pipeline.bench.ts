/**
 * The cost of running steps through a pipeline (declared-input checks, pass-through maps) against
 * calling the same maths directly, on a batch of 64 texts. Prints a ratio: absolute times drift on
 * shared machines, the ratio does not.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Tokenizer, argmaxLabels, buildPipeline, defaultCatalog, softmax } from '../src/index.js';

const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
const vocabulary = [...words, 'does not work', 'not at all'];
const labels = Array.from({ length: vocabulary.length }, (_, i) => `l${i}`);
const texts = Array.from({ length: 64 }, (_, r) =>
  Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? 'does not work' : words[(r * 31 + i * 17) % words.length])).join(' '),
);

const dir = await mkdtemp(path.join(tmpdir(), 'im-bench-'));
await writeFile(path.join(dir, 'vocab.json'), JSON.stringify(vocabulary));
const pipeline = await buildPipeline(
  [
    { step: 'tokenize', options: { vocabulary: 'vocab.json', input: 'text', output: 'counts' } },
    { step: 'softmax', options: { input: 'counts', output: 'probs' } },
    { step: 'argmax-label', options: { input: 'probs', output: 'label', labels } },
  ],
  defaultCatalog(), { dir }, [{ name: 'text', datatype: 'BYTES', shape: [-1] }],
);
const tokenizer = new Tokenizer(vocabulary);
const V = tokenizer.size;

function direct(): string[] {
  const counts = new Float32Array(texts.length * V);
  texts.forEach((t, r) => tokenizer.countInto(t, counts, r * V));
  return argmaxLabels(softmax(counts, [texts.length, V], 1), texts.length, labels);
}
function viaPipeline(): unknown {
  return pipeline.run({ text: { datatype: 'BYTES', shape: [texts.length], data: texts } });
}

function time(fn: () => unknown, iterations: number): number {
  for (let i = 0; i < 20; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e3 / iterations;
}

const n = 300;
const base = time(direct, n);
const piped = time(viaPipeline, n);
process.stdout.write(
  `batch of 64 texts, V = ${V}: direct ${base.toFixed(0)} µs, pipeline ${piped.toFixed(0)} µs, ` +
    `ratio ${(piped / base).toFixed(2)}×\n`,
);
await rm(dir, { recursive: true, force: true });
