import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRepository, type RepositoryModel } from '@infermesh/registry';
import { OnnxRuntime, type LoadedModel } from '@infermesh/runtime';
import { bagOfWords } from './bag-of-words.js';
import { SENTIMENT_LABELS, sentimentReference, sentimentVocabulary } from './sentiment.js';
import { writeModelRepository } from './write-model-repository.js';

let dir: string;
let entry: RepositoryModel;
let model: LoadedModel;
let terms: string[];
const { scores } = sentimentVocabulary();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'im-sentiment-'));
  await writeModelRepository({ out: dir, models: ['sentiment'] });
  const [loaded] = await loadModelRepository(dir, { models: ['sentiment'] });
  if (!loaded) throw new Error('sentiment not loaded');
  entry = loaded;
  terms = JSON.parse(await readFile(join(entry.dir, 'vocab.json'), 'utf8')) as string[];
  model = await new OnnxRuntime().load(entry);
});
afterAll(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

function bows(texts: string[]): Float32Array {
  const v = terms.length;
  const out = new Float32Array(texts.length * v);
  texts.forEach((t, r) => out.set(bagOfWords(t, terms), r * v));
  return out;
}

async function classify(texts: string[]): Promise<{ labels: string[]; probabilities: Float32Array }> {
  const out = await model.run({ bow: { datatype: 'FP32', shape: [texts.length, terms.length], data: bows(texts) } });
  const p = out.probabilities?.data as Float32Array;
  const labels = texts.map((_, r) => {
    const row = Array.from(p.subarray(r * 3, r * 3 + 3));
    return SENTIMENT_LABELS[row.indexOf(Math.max(...row))] as string;
  });
  return { labels, probabilities: p };
}

describe('sentiment', () => {
  it('ships the AFINN-165 vocabulary, phrases included, in the model order', () => {
    expect(terms.length).toBe(scores.length);
    expect(terms.length).toBeGreaterThan(3000);
    expect(terms).toContain('does not work');
    expect(entry.spec.preprocess[0]).toEqual({
      step: 'tokenize',
      options: { vocabulary: 'vocab.json', input: 'text', output: 'bow' },
    });
    expect(model.inputs).toEqual([{ name: 'bow', datatype: 'FP32', shape: [-1, terms.length] }]);
    expect(model.outputs).toEqual([{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }]);
  });

  it('counts words and longest phrases', () => {
    const bow = bagOfWords('It does not work. Love, LOVE!', terms);
    expect(bow[terms.indexOf('does not work')]).toBe(1);
    expect(bow[terms.indexOf('love')]).toBe(2);
    expect(bow.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('reads naturally on plain sentences', async () => {
    const texts = ['I love this', 'this is terrible', 'the table is brown', 'good', 'bad', 'we are aboard', 'the launch was aborted'];
    const { labels } = await classify(texts);
    // aboard +1 and aborted -1: a score of ±1 stays neutral, ±2 and beyond is not.
    expect(labels).toEqual(['positive', 'negative', 'neutral', 'positive', 'negative', 'neutral', 'neutral']);
  });

  it.each([1, 37])('matches the TypeScript reference on a batch of %i', async (rows) => {
    const sentences = ['I love this', 'this is terrible', 'the table is brown', 'what a great, happy day', 'awful awful bad'];
    const texts = Array.from({ length: rows }, (_, i) => sentences[i % sentences.length] as string);
    const { probabilities } = await classify(texts);
    const expected = sentimentReference(bows(texts), rows, scores);
    let max = 0;
    for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs((probabilities[i] as number) - (expected[i] as number)));
    expect(probabilities.length).toBe(rows * 3);
    expect(max).toBeLessThan(1e-4);
  });
});
